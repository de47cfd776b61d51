/**
 * Streaming UTF-8 validation (RFC 3629), for text messages that arrive in fragments: bytes are fed as
 * they come, so invalid input is caught in the frame that carries it ("fail fast"), and a sequence
 * split across frames is fine until the message ends.
 */
export class Utf8Validator {
  /** Continuation bytes still expected. */
  #need = 0;
  /** Allowed range of the next continuation byte (narrower after E0, ED, F0, F4). */
  #lo = 0x80;
  #hi = 0xbf;

  /** Feed bytes; false as soon as they cannot be UTF-8. */
  push(bytes: Uint8Array): boolean {
    let need = this.#need;
    let lo = this.#lo;
    let hi = this.#hi;
    for (let i = 0; i < bytes.length; i++) {
      const b = bytes[i]!;
      if (need === 0) {
        if (b < 0x80) continue;
        if (b >= 0xc2 && b <= 0xdf) need = 1;
        else if (b === 0xe0) {
          need = 2;
          lo = 0xa0;
        } else if ((b >= 0xe1 && b <= 0xec) || b === 0xee || b === 0xef) need = 2;
        else if (b === 0xed) {
          need = 2;
          hi = 0x9f; // no UTF-16 surrogates
        } else if (b === 0xf0) {
          need = 3;
          lo = 0x90; // no overlong 4-byte forms
        } else if (b >= 0xf1 && b <= 0xf3) need = 3;
        else if (b === 0xf4) {
          need = 3;
          hi = 0x8f; // nothing above U+10FFFF
        } else return false;
      } else {
        if (b < lo || b > hi) return false;
        need--;
        lo = 0x80;
        hi = 0xbf;
      }
    }
    this.#need = need;
    this.#lo = lo;
    this.#hi = hi;
    return true;
  }

  /** The message ended: false if it stopped inside a sequence. Resets the validator. */
  end(): boolean {
    const ok = this.#need === 0;
    this.#need = 0;
    this.#lo = 0x80;
    this.#hi = 0xbf;
    return ok;
  }
}

/** Whether `bytes` is complete, valid UTF-8. */
export function isValidUtf8(bytes: Uint8Array): boolean {
  const v = new Utf8Validator();
  return v.push(bytes) && v.end();
}
