// Records one OTLP/JSON trace export from the Node.js OpenTelemetry SDK: the OpenInference
// OpenAI instrumentation around the real `openai` npm client, talking to the fake
// OpenAI-compatible server that record.py runs, exported by @opentelemetry/exporter-trace-otlp-http
// (JSON encoding) to record.py's recorder. Run by record.py, not by hand:
//   COLLECTOR_URL=http://127.0.0.1:P OPENAI_URL=http://127.0.0.1:Q FIXTURE_SEED=N \
//   NODE_PATH=target/otlp-node/node_modules node scripts/otlp/record-node.cjs
// Same synthetic healthcare prompts and tool as record.py's Python scenarios.
"use strict";

const { NodeTracerProvider } = require("@opentelemetry/sdk-trace-node");
const { BatchSpanProcessor } = require("@opentelemetry/sdk-trace-base");
const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-http");
const { resourceFromAttributes } = require("@opentelemetry/resources");
const { registerInstrumentations } = require("@opentelemetry/instrumentation");
const { OpenAIInstrumentation } = require("@arizeai/openinference-instrumentation-openai");

const collector = process.env.COLLECTOR_URL;
const openaiUrl = process.env.OPENAI_URL;
if (!collector || !openaiUrl) throw new Error("COLLECTOR_URL and OPENAI_URL are required");

// Seeded ids (mulberry32), so only timestamps change between recordings.
let state = Number(process.env.FIXTURE_SEED || 1) >>> 0;
function rand32() {
  state = (state + 0x6d2b79f5) >>> 0;
  let t = state;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return (t ^ (t >>> 14)) >>> 0;
}
const hex = (words) =>
  Array.from({ length: words }, () => rand32().toString(16).padStart(8, "0")).join("");
const idGenerator = { generateTraceId: () => hex(4), generateSpanId: () => hex(2) };

const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({
    "service.name": "fixture-clinic-assistant-node",
    "service.instance.id": "fixture-instance-1",
    "deployment.environment.name": "fixture",
  }),
  idGenerator,
  spanProcessors: [
    new BatchSpanProcessor(new OTLPTraceExporter({ url: `${collector}/v1/traces` }), {
      scheduledDelayMillis: 600000,
    }),
  ],
});
provider.register();

const instrumentation = new OpenAIInstrumentation();
registerInstrumentations({ instrumentations: [instrumentation] });
const OpenAIModule = require("openai");
instrumentation.manuallyInstrument(OpenAIModule); // no-op when the require hook already patched it
const OpenAI = OpenAIModule.OpenAI || OpenAIModule.default || OpenAIModule;

const CLINIC_SYSTEM =
  "You are a clinical decision-support assistant for licensed clinicians. Answer concisely, " +
  "cite the usual adult dosing, and always remind the user to check renal function, " +
  "allergies and local guidelines.";
const DOSE_QUESTION =
  "What is the usual adult oral dose of amoxicillin for acute otitis media in a patient " +
  "with normal renal function and no penicillin allergy?";
const INTERACTION_QUESTION =
  "Patient (synthetic record P-0001) takes lisinopril 10 mg daily. Is it safe to add " +
  "ibuprofen 400 mg three times a day for knee pain? Check for interactions first.";
const INTERACTION_TOOL = {
  type: "function",
  function: {
    name: "check_drug_interaction",
    description: "Look up known interactions between two drugs in the formulary.",
    parameters: {
      type: "object",
      properties: {
        drug_a: { type: "string", description: "Generic name of the first drug" },
        drug_b: { type: "string", description: "Generic name of the second drug" },
      },
      required: ["drug_a", "drug_b"],
    },
  },
};

async function main() {
  const client = new OpenAI({
    baseURL: `${openaiUrl}/v1`,
    apiKey: "sk-fixture-not-a-key",
    maxRetries: 0,
  });
  await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: CLINIC_SYSTEM },
      { role: "user", content: DOSE_QUESTION },
    ],
    temperature: 0.2,
    max_tokens: 256,
    seed: 7,
  });
  await client.chat.completions.create({
    model: "gpt-4o-mini",
    messages: [
      { role: "system", content: CLINIC_SYSTEM },
      { role: "user", content: INTERACTION_QUESTION },
    ],
    tools: [INTERACTION_TOOL],
    tool_choice: "auto",
    temperature: 0,
    seed: 7,
  });
  await provider.forceFlush();
  await provider.shutdown();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
