/**
 * Errors of the device transports carry flags, not only messages, so callers branch on facts:
 * `disconnected` (the device went away: reconnect with backoff), `code` (what to tell IT staff).
 */
export type TransportErrorCode =
  | 'NOT_FOUND'
  | 'ACCESS_DENIED'
  | 'BUSY'
  | 'NOT_OPEN'
  | 'IO'
  | 'MISSING_LIBRARY'
  /** PC/SC: no card in the reader. */
  | 'NO_CARD'
  /** PC/SC: the card was taken out (or reset by another program) during the session. */
  | 'CARD_REMOVED'
  /** PC/SC: a card is in the reader but does not answer (inserted the wrong way, broken chip). */
  | 'CARD_UNRESPONSIVE';

export class TransportError extends Error {
  readonly disconnected: boolean = false;

  constructor(
    readonly code: TransportErrorCode,
    message: string,
    cause?: unknown,
  ) {
    super(message, { cause });
    this.name = new.target.name;
  }
}

/** The device or its port went away while open (cable pulled, pty closed, USB reset). */
export class DisconnectedError extends TransportError {
  override readonly disconnected = true;

  constructor(message: string, cause?: unknown) {
    super('IO', message, cause);
  }
}

/** Maps an operating-system error from opening a port to what IT staff should check. */
export function openError(path: string, err: unknown): TransportError {
  const text = err instanceof Error ? err.message : String(err);
  if (/ENOENT|No such file|cannot open|not found/i.test(text)) {
    return new TransportError(
      'NOT_FOUND',
      `串口 ${path} 不存在：请检查设备是否已连接、配置中的端口名是否正确 (${text})`,
      err,
    );
  }
  if (/EACCES|Permission denied/i.test(text)) {
    return new TransportError(
      'ACCESS_DENIED',
      `没有权限打开串口 ${path}：请把运行网关的用户加入 dialout 组 (${text})`,
      err,
    );
  }
  if (/EBUSY|Resource busy|lock/i.test(text)) {
    return new TransportError('BUSY', `串口 ${path} 正被其他程序占用：请关闭其他读卡/扫码软件 (${text})`, err);
  }
  return new TransportError('IO', `打开串口 ${path} 失败 (${text})`, err);
}
