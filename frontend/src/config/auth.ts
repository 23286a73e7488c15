/** Client-side mirrors of the server's rules; the server checks them again. */
export const MIN_PASSWORD_LENGTH = 10;

/** The same loose shape the server accepts (`admin@localhost` is a valid login). */
export const EMAIL_PATTERN = /^[^@\s]+@[^@\s]+$/;
