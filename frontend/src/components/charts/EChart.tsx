import { useEffect, useRef } from "react";
import { echarts } from "./echarts";
import type { ChartOption } from "./echarts";

export type EChartProps = {
  /** Memoise it: every new object is a full `setOption(…, {notMerge: true})`. */
  option: ChartOption;
  height: number;
};

/**
 * A tiny React wrapper around ECharts core: init on mount, replace the option
 * when it changes, follow the container's size, dispose on unmount.
 * Loaded lazily (see ChartCard), so ECharts is its own chunk.
 */
export default function EChart({ option, height }: EChartProps) {
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
    chart.current?.setOption(option, { notMerge: true });
  }, [option]);

  return <div ref={container} style={{ width: "100%", height }} />;
}
