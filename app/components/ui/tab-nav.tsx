import { NavLink } from "@remix-run/react";
import type { ReactNode } from "react";

/** A row of section links; the current one is underlined. */
export function TabNav({
  label,
  className = "",
  children,
}: {
  label: string;
  className?: string;
  children: ReactNode;
}) {
  return (
    <nav aria-label={label} className={`flex flex-wrap gap-x-6 gap-y-1 border-b border-slate-200 ${className}`}>
      {children}
    </nav>
  );
}

export function TabLink({ to, end = false, children }: { to: string; end?: boolean; children: ReactNode }) {
  return (
    <NavLink
      to={to}
      end={end}
      className={({ isActive }) =>
        `border-b-2 px-1 pb-2 text-sm font-medium ${isActive ? "border-brand-600 text-brand-700" : "border-transparent text-slate-700 hover:text-slate-900"}`
      }
    >
      {children}
    </NavLink>
  );
}
