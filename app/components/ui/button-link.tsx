import { Link, type LinkProps } from "@remix-run/react";

const variants = {
  primary: "bg-brand-600 text-white hover:bg-brand-700",
  secondary: "bg-white text-slate-900 ring-1 ring-inset ring-slate-300 hover:bg-slate-50",
} as const;

type Props = LinkProps & { variant?: keyof typeof variants; block?: boolean };

export function ButtonLink({ variant = "primary", block = false, className = "", ...props }: Props) {
  return (
    <Link
      {...props}
      className={`inline-flex items-center justify-center rounded-md px-4 py-2.5 text-sm font-semibold shadow-sm transition-colors ${variants[variant]} ${block ? "w-full" : ""} ${className}`}
    />
  );
}
