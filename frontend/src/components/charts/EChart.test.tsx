import { render } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import EChart from "./EChart";

const setOption = vi.fn();
vi.mock("./echarts", () => ({
  echarts: {
    init: () => ({ setOption, resize: () => {}, dispose: () => {} }),
  },
}));

function mediaQuery(reduce: boolean) {
  return (query: string) =>
    ({
      matches: reduce && query === "(prefers-reduced-motion: reduce)",
      media: query,
      addEventListener: () => {},
      removeEventListener: () => {},
    }) as unknown as MediaQueryList;
}

describe("EChart", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    setOption.mockClear();
  });

  it.each([
    [true, { series: [], animation: false }],
    [false, { series: [] }],
  ])("prefers-reduced-motion: reduce = %s → option %j", (reduce, expected) => {
    vi.spyOn(window, "matchMedia").mockImplementation(mediaQuery(reduce));
    const { getByRole } = render(<EChart option={{ series: [] }} height={100} label="Power" />);
    expect(setOption).toHaveBeenCalledWith(expected, { notMerge: true });
    expect(getByRole("img", { name: "Power" })).toBeInTheDocument();
  });
});
