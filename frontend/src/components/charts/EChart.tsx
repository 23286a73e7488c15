import { useEffect, useRef } from "react";
import { echarts } from "./echarts";
import type { ChartOption } from "./echarts";

export type EChartProps = {
  /** Memoise it: every new object is a full `setOption(…, {notMerge: true})`. */
  option: ChartOption;
  height: number;
  /** The chart's accessible name (the canvas is one image to assistive technology). */
  label: string;
  /** The id of the element that describes the chart in words (ChartCard's summary). */
  describedBy?: string;
};

/** The user asked for less motion (the OS setting): no ECharts animations then. */
export function prefersReducedMotion(): boolean {
  return (
    typeof window !== "undefined" &&
    typeof window.matchMedia === "function" &&
    window.matchMedia("(prefers-reduced-motion: reduce)").matches
  );
}

/**
 * A tiny React wrapper around ECharts core: init on mount, replace the option
 * when it changes, follow the container's size, dispose on unmount.
 * Loaded lazily (see ChartCard), so ECharts is its own chunk.
 */
export default function EChart({ option, height, label, describedBy }: EChartProps) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const instance = echarts.init(element, undefined, { renderer: "canvas" });
    chart.current = instance;
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(element);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  useEffect(() => {
    const shown = prefersReducedMotion() ? { ...option, animation: false } : option;
    chart.current?.setOption(shown, { notMerge: true });
  }, [option]);

  return (
    <div
      ref={container}
      role="img"
      aria-label={label}
      aria-describedby={describedBy}
      style={{ width: "100%", height }}
    />
  );
}
