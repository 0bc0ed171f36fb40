/** Every JSON hub message, and the handshake, ends with this byte. */
export const RECORD_SEPARATOR = 0x1e;
export const RECORD_SEPARATOR_CHAR = String.fromCharCode(RECORD_SEPARATOR);
