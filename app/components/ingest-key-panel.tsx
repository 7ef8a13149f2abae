import { Form, Link } from "@remix-run/react";
import { useState } from "react";
import { LocalDate } from "~/components/local-date";
import { FormErrors, SubmitButton } from "~/components/ui/field";

type Card = {
  planName: string;
  status: string;
  key: { prefix: string; issuedAt: Date | string; issuedBy: "system" | "staff" | "user" } | null;
};
type Answer = { ok: true; key: string; previousPrefix: string | null } | { ok: false; message: string };

const issuedByText = { system: "when the service was set up", staff: "by our support team", user: "by your team" };

/**
 * The confirmation step and the one-time reveal of a usage reporting (ingest) key. `mode` "first"
 * hands over a manual setup's first key; "rotate" replaces the key in force.
 */
export function IngestKeyPanel({
  card,
  mode,
  answer,
  back,
}: {
  card: Card;
  mode: "rotate" | "first";
  answer: Answer | undefined;
  back: { to: string; label: string };
}) {
  if (answer?.ok) return <RevealedKey answer={answer} back={back} />;
  return (
    <section aria-labelledby="key-heading" className="max-w-xl space-y-4">
      <h2 id="key-heading" className="text-lg font-semibold">
        Your {card.planName} service
      </h2>
      {card.key ? (
        <p className="text-sm text-slate-700">
          The key in force starts <code className="rounded bg-slate-100 px-1">{card.key.prefix}…</code> and was issued{" "}
          {issuedByText[card.key.issuedBy]} on <LocalDate value={card.key.issuedAt} />.
        </p>
      ) : (
        <p className="text-sm text-slate-700">No key has been issued for this service yet.</p>
      )}
      <p className="text-sm text-slate-700">
        {mode === "first"
          ? "Issue the key to configure in the product. It is shown once: copy it into the product's settings straight away."
          : "A new key replaces this one at once: the product stops reporting usage until it is given the new key. The organisation's owners are told by email."}
      </p>
      {answer ? <FormErrors id="key-errors" errors={[answer.message]} /> : null}
      <Form method="post" className="space-y-3">
        <input type="hidden" name="mode" value={mode} />
        <label className="flex items-start gap-2 text-sm">
          <input type="checkbox" name="confirm" value="yes" required className="mt-0.5" />
          <span>
            {mode === "first"
              ? "I will give this key to the product now."
              : "I understand that the old key stops working at once."}
          </span>
        </label>
        <div className="flex flex-wrap items-center gap-4">
          <SubmitButton variant={mode === "first" ? "primary" : "danger"}>
            {mode === "first" ? "Show the ingest key" : "Rotate the key"}
          </SubmitButton>
          <Link to={back.to} className="text-sm font-medium text-brand-700 underline">
            {back.label}
          </Link>
        </div>
      </Form>
    </section>
  );
}

function RevealedKey({
  answer,
  back,
}: {
  answer: { key: string; previousPrefix: string | null };
  back: Props["back"];
}) {
  const [copied, setCopied] = useState(false);
  return (
    <section aria-labelledby="new-key-heading" className="max-w-xl space-y-4">
      <h2 id="new-key-heading" className="text-lg font-semibold">
        The new key
      </h2>
      <p className="text-sm text-slate-700">
        This is the only time it is shown: copy it into the product&apos;s settings now.
        {answer.previousPrefix ? ` The old key (starting ${answer.previousPrefix}…) stopped working.` : ""}
      </p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <label htmlFor="new-key" className="sr-only">
          New ingest key
        </label>
        <input
          id="new-key"
          readOnly
          value={answer.key}
          onFocus={(event) => event.currentTarget.select()}
          className="w-full min-w-0 rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-sm"
        />
        <button
          type="button"
          onClick={() => void navigator.clipboard.writeText(answer.key).then(() => setCopied(true))}
          className="rounded-md bg-white px-4 py-2 text-sm font-semibold ring-1 ring-inset ring-slate-300 hover:bg-slate-50"
        >
          {copied ? "Copied" : "Copy"}
        </button>
      </div>
      <Link to={back.to} className="inline-block text-sm font-medium text-brand-700 underline">
        {back.label}
      </Link>
    </section>
  );
}

type Props = Parameters<typeof IngestKeyPanel>[0];
