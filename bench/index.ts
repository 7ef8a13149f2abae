/**
 * `npm run bench` runs every scenario; `npm run bench -- pricing` runs the named ones.
 * Each figure is printed as one `name: value` line.
 */
import { fileURLToPath } from "node:url";
import { ensureBuild } from "../server/build";
import { loginScenario } from "./login";
import { pricingScenario } from "./pricing";
import { provisioningScenario } from "./provisioning";
import { webhooksScenario } from "./webhooks";

const scenarios: Record<string, (report: (name: string, value: number) => void) => Promise<void>> = {
  pricing: pricingScenario,
  login: loginScenario,
  provisioning: provisioningScenario,
  webhooks: webhooksScenario,
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in scenarios));
if (unknown.length) {
  console.error(`Unknown scenario: ${unknown.join(", ")}. Known: ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}

await ensureBuild(fileURLToPath(new URL("..", import.meta.url)), (message) => console.error(message));
for (const name of requested.length ? requested : Object.keys(scenarios)) {
  await scenarios[name]!((figure, value) => console.log(`${figure}: ${value}`));
}
