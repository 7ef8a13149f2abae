/**
 * Stripe's form encoding: `a[b][c]=1` nests objects, `items[0][price]=x` builds arrays by index,
 * `expand[]=y` appends. The official SDK sends indexed arrays; `[]` is what curl users write.
 */
export type FormValue = string | FormValue[] | FormObject;
export interface FormObject {
  [key: string]: FormValue;
}

const APPEND = "";

export function parseForm(encoded: string): FormObject {
  const root: FormObject = {};
  for (const [key, value] of new URLSearchParams(encoded)) {
    insert(root, keyPath(key), value);
  }
  return arraysFromIndexedObjects(root) as FormObject;
}

/** `a[b][]` → ["a", "b", ""]; a key without brackets is one segment. */
function keyPath(key: string): string[] {
  const open = key.indexOf("[");
  if (open <= 0) return [key];
  const path = [key.slice(0, open)];
  for (const match of key.slice(open).matchAll(/\[([^\]]*)\]/g)) path.push(match[1] ?? APPEND);
  return path;
}

function insert(container: FormObject, path: string[], value: string): void {
  const [head, ...rest] = path;
  if (head === undefined) return;
  // `[]` segments get a fresh numeric key so that they become array entries in order.
  const key = head === APPEND ? String(Object.keys(container).length) : head;
  if (rest.length === 0) {
    container[key] = value;
    return;
  }
  const existing = container[key];
  const child: FormObject = typeof existing === "object" && !Array.isArray(existing) ? existing : {};
  container[key] = child;
  insert(child, rest, value);
}

/** Objects whose keys are all indexes become arrays ordered by index. */
function arraysFromIndexedObjects(value: FormValue): FormValue {
  if (typeof value === "string" || Array.isArray(value)) return value;
  const keys = Object.keys(value);
  const converted = Object.fromEntries(keys.map((key) => [key, arraysFromIndexedObjects(value[key] ?? "")]));
  if (keys.length === 0 || !keys.every((key) => /^\d+$/.test(key))) return converted;
  return keys.sort((a, b) => Number(a) - Number(b)).map((key) => converted[key] ?? "");
}
