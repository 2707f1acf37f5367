/** Object fields that are set: flags not given, and optional settings, arrive as undefined. */
export function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export const anyDefined = (o: object): boolean => Object.values(o).some((v) => v !== undefined);
