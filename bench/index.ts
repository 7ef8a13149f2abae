/**
 * `npm run bench` runs every scenario; `npm run bench -- pricing` runs the named ones;
 * `npm run bench -- --smoke` runs them for a second or two each (CI does, so none can rot).
 * Each figure is printed as one `name: value` line.
 */
import { fileURLToPath } from "node:url";
import { ensureBuild } from "../server/build";
import { dynamicScenario } from "./dynamic";
import { loginScenario } from "./login";
import { metricsScenario } from "./metrics";
import { pricingScenario } from "./pricing";
import { provisioningScenario } from "./provisioning";
import { scale, type Scenario } from "./scale";
import { staffScenario } from "./staff";
import { usageScenario } from "./usage";
import { webhooksScenario } from "./webhooks";

const scenarios: Record<string, Scenario> = {
  pricing: pricingScenario,
  login: loginScenario,
  dynamic: dynamicScenario,
  provisioning: provisioningScenario,
  webhooks: webhooksScenario,
  usage: usageScenario,
  staff: staffScenario,
  metrics: metricsScenario,
};

const args = process.argv.slice(2);
const smoke = args.includes("--smoke");
const requested = args.filter((arg) => arg !== "--smoke");
const unknown = requested.filter((name) => !(name in scenarios));
if (unknown.length) {
  console.error(
    `Unknown scenario: ${unknown.join(", ")}. Known: ${Object.keys(scenarios).join(", ")}; option: --smoke`,
  );
  process.exit(2);
}

await ensureBuild(fileURLToPath(new URL("..", import.meta.url)), (message) => console.error(message));
for (const name of requested.length ? requested : Object.keys(scenarios)) {
  const started = performance.now();
  await scenarios[name]!((figure, value) => console.log(`${figure}: ${value}`), scale(smoke));
  if (smoke) console.error(`${name}: smoke run in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
