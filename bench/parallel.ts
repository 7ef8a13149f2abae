/** Runs `run(0)` … `run(count - 1)`, `width` at a time. */
export async function inParallel(width: number, count: number, run: (index: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      for (let i = next++; i < count; i = next++) await run(i);
    }),
  );
}
