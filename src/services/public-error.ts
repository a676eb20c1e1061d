/**
 * An error whose message is written for the person in front of the screen, in French: the error
 * handler shows it as is, with its status. Other errors show the status's generic message.
 */
export class PublicError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
