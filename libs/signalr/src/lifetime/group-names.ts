/** Group names are non-empty strings: a send or a membership change with another fails at once. */
export function requireGroupName(groupName: string): string {
  if (typeof groupName !== 'string' || groupName.length === 0) {
    throw new TypeError('Cannot send to an empty group name.');
  }
  return groupName;
}
