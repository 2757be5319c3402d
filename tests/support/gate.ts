/** A promise the test opens by hand: a route held back, or a moment waited for, until the test says. */
export interface Gate {
  /** Settles once `open()` is called. */
  passed: Promise<void>;
  open(): void;
}

export function gate(): Gate {
  let open: () => void = () => undefined;
  const passed = new Promise<void>((resolve) => (open = resolve));
  return { passed, open: () => open() };
}
