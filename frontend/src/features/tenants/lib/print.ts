import { useEffect } from "react";

/** While the page is open, printing leaves the app chrome off (tenant-bill-print.css). */
export function usePrintClass(className: string) {
  useEffect(() => {
    document.body.classList.add(className);
    return () => document.body.classList.remove(className);
  }, [className]);
}
