/** Where the reports page is (admin). */
export const REPORTS_PATH = "/reports";
