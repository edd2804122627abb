/** `probe` run at most once at a time (callers meanwhile share it); a settled answer is reused for `ms` */
export function sharedFor<T>(ms: number, probe: () => Promise<T>): () => Promise<T> {
  let last: { settledAt: number | undefined; answer: Promise<T> } | undefined;
  return () => {
    if (last === undefined || (last.settledAt !== undefined && performance.now() - last.settledAt >= ms)) {
      const entry: { settledAt: number | undefined; answer: Promise<T> } = { settledAt: undefined, answer: probe() };
      entry.answer.then(
        () => (entry.settledAt = performance.now()),
        () => (entry.settledAt = performance.now()),
      );
      last = entry;
    }
    return last.answer;
  };
}
