/**
 * `data-testid` for props objects (`okButtonProps`, `onRow`, …), whose types
 * do not list data-* attributes although the DOM receives them.
 */
export function testId(id: string): object {
  return { "data-testid": id };
}
