import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";

// antd renders slowly in jsdom; on a busy 2-core CI machine the default 1 s for
// findBy*/waitFor is too tight. Generous waits cost nothing when things are fast.
configure({ asyncUtilTimeout: 10_000 });

// antd (Grid / Layout.Sider breakpoints, responsive observers) needs matchMedia,
// which jsdom does not implement.
Object.defineProperty(window, "matchMedia", {
  writable: true,
  configurable: true,
  value: (query: string): MediaQueryList => ({
    matches: false,
    media: query,
    onchange: null,
    addListener: () => {},
    removeListener: () => {},
    addEventListener: () => {},
    removeEventListener: () => {},
    dispatchEvent: () => false,
  }),
});

// jsdom lacks these; antd uses them for layout measurement. Defined directly
// (not with vi.stubGlobal), so `vi.unstubAllGlobals()` after each test keeps it.
if (!("ResizeObserver" in globalThis)) {
  class ResizeObserverStub {
    observe() {}
    unobserve() {}
    disconnect() {}
  }
  Object.defineProperty(globalThis, "ResizeObserver", {
    writable: true,
    configurable: true,
    value: ResizeObserverStub,
  });
}

// The API client uses a relative baseUrl (same origin). Node's Request needs
// an absolute URL, so resolve relative ones against the jsdom location, as a
// browser would.
const NativeRequest = globalThis.Request;
class RelativeRequest extends NativeRequest {
  constructor(input: RequestInfo | URL, init?: RequestInit) {
    const resolved =
      typeof input === "string" && input.startsWith("/")
        ? new URL(input, window.location.href).toString()
        : input;
    super(resolved, init);
  }
}
globalThis.Request = RelativeRequest;

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});
