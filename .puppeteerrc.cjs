// The download host is unreachable on our machines and in CI: Puppeteer must not fetch its own
// Chrome. The browser is found at run time (see src/pdf/browser-path.ts).
module.exports = { skipDownload: true };
