/** Resolves as `promise` does, or rejects with `Error(message)` once `timeoutMs` passed first. */
export async function withTimeout<T>(promise: Promise<T>, timeoutMs: number, message = 'timed out waiting for the server'): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(message)), Math.max(timeoutMs, 1));
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves after `ms`, or as soon as `interrupt` settles. */
export async function pause(ms: number, interrupt?: Promise<unknown>): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  try {
    await (interrupt === undefined ? elapsed : Promise.race([elapsed, interrupt.then(() => undefined, () => undefined)]));
  } finally {
    clearTimeout(timer);
  }
}
