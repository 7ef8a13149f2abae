import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { destroySession } from "~/modules/accounts/sessions.server";

export async function action({ request, context }: ActionFunctionArgs) {
  throw redirect("/login?notice=logged-out", { headers: { "Set-Cookie": await destroySession(request, context) } });
}

export function loader() {
  throw redirect("/");
}
