import { getInputProps, getTextareaProps, type FieldMetadata } from "@conform-to/react";
import type { ReactNode } from "react";

type Props = {
  meta: FieldMetadata<string | number | undefined>;
  label: string;
  type?: "text" | "email" | "password" | "number" | "url";
  autoComplete?: string;
  hint?: ReactNode;
};

/** A labelled input whose server- or client-side error is announced and tied to it. */
export function Field({ meta, label, type = "text", autoComplete, hint }: Props) {
  const errorId = `${meta.id}-error`;
  const hintId = `${meta.id}-hint`;
  const invalid = Boolean(meta.errors?.length);
  return (
    <div>
      <label htmlFor={meta.id} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      {hint ? (
        <p id={hintId} className="mt-1 text-xs text-slate-600">
          {hint}
        </p>
      ) : null}
      <input
        {...getInputProps(meta, { type })}
        key={meta.key}
        autoComplete={autoComplete}
        aria-describedby={[hint ? hintId : null, invalid ? errorId : null].filter(Boolean).join(" ") || undefined}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm shadow-sm ${invalid ? "border-red-600" : "border-slate-300"}`}
      />
      <FieldError id={errorId} errors={meta.errors} />
    </div>
  );
}

/** A labelled multi-line input whose error is announced and tied to it. */
export function TextAreaField({ meta, label }: { meta: FieldMetadata<string | undefined>; label: string }) {
  const errorId = `${meta.id}-error`;
  const invalid = Boolean(meta.errors?.length);
  return (
    <div>
      <label htmlFor={meta.id} className="block text-sm font-medium text-slate-900">
        {label}
      </label>
      <textarea
        {...getTextareaProps(meta)}
        key={meta.key}
        rows={4}
        aria-describedby={invalid ? errorId : undefined}
        className={`mt-1 block w-full rounded-md border px-3 py-2 text-sm ${invalid ? "border-red-600" : "border-slate-300"}`}
      />
      <FieldError id={errorId} errors={meta.errors} />
    </div>
  );
}

export function FieldError({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700" role="alert">
      {errors[0]}
    </p>
  );
}

/** Errors about the whole form, such as wrong credentials or a rate limit. */
export function FormErrors({ id, errors }: { id: string; errors?: string[] }) {
  if (!errors?.length) return null;
  return (
    <div id={id} role="alert" className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
      {errors.map((error) => (
        <p key={error}>{error}</p>
      ))}
    </div>
  );
}

export function Notice({ children }: { children: ReactNode }) {
  return (
    <div role="status" className="rounded-md border border-green-200 bg-green-50 px-4 py-3 text-sm text-green-800">
      {children}
    </div>
  );
}

export function SubmitButton({
  children,
  variant = "primary",
}: {
  children: ReactNode;
  variant?: "primary" | "secondary" | "danger";
}) {
  const styles = {
    primary: "bg-brand-600 text-white hover:bg-brand-700",
    secondary: "bg-white text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50",
    danger: "bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50",
  } as const;
  return (
    <button
      type="submit"
      className={`inline-flex items-center justify-center rounded-md px-4 py-2.5 text-sm font-semibold shadow-sm ${styles[variant]}`}
    >
      {children}
    </button>
  );
}
