/**
 * Undoes the newline translation of the host pty in front of lxc-attach.
 *
 * An interactive lxc-attach runs the command on a pty inside the container and copies its output to its
 * own terminal, which it configures with OPOST|ONLCR (LXC's lxc_setup_tios): every "\n" coming from the
 * container is written as "\r\n" once more, so a line ends in "\r\r\n". A fresh pty has ONLCR too, so the
 * same holds for anything printed before that setup. Since the host only ever inserts a "\r" before each
 * "\n", turning every "\r\n" back into "\n" restores exactly the bytes the container's pty produced,
 * whatever the command writes and however the output is split into chunks.
 */
const CR = 0x0d;
const LF = 0x0a;

export class OnlcrDecoder {
  private pendingCr = false;

  decode(chunk: Buffer): Buffer {
    const out = Buffer.allocUnsafe(chunk.length + 1);
    let length = 0;
    for (const byte of chunk) {
      if (this.pendingCr) {
        this.pendingCr = false;
        if (byte === LF) {
          out[length++] = LF;
          continue;
        }
        out[length++] = CR;
      }
      if (byte === CR) this.pendingCr = true;
      else out[length++] = byte;
    }
    return out.subarray(0, length);
  }

  /** What is held back at the end of the output (a final "\r"). */
  flush(): Buffer {
    if (!this.pendingCr) return Buffer.alloc(0);
    this.pendingCr = false;
    return Buffer.from([CR]);
  }
}
