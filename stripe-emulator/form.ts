import { invalidRequest } from "./errors";

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

/** A JSON body read as if form-encoded: scalars become strings, so the same param schemas apply. */
export function formFromJson(text: string): FormObject {
  const form = toFormValue(text.trim() === "" ? {} : parseJson(text));
  if (typeof form === "string" || Array.isArray(form)) throw invalidRequest("A JSON body must be an object.");
  return form;
}

function toFormValue(value: unknown): FormValue {
  if (Array.isArray(value)) return value.map(toFormValue);
  if (value !== null && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, toFormValue(child)]));
  return value === null || value === undefined ? "" : String(value);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidRequest("The request body is not valid JSON.");
  }
}
