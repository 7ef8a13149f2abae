import type { ReactNode } from "react";

export function AuthCard({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <div className="mx-auto max-w-md px-4 py-12 sm:py-16">
      <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
      {intro ? <div className="mt-2 text-sm text-slate-700">{intro}</div> : null}
      <div className="mt-8">{children}</div>
    </div>
  );
}
