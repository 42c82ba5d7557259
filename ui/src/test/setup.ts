import '@testing-library/jest-dom/vitest';

// jsdom has no layout: a ResizeObserver that never reports (bind:clientHeight needs one).
if (!('ResizeObserver' in globalThis)) {
  (globalThis as { ResizeObserver?: unknown }).ResizeObserver = class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
}
