// Drives aisbx-mcp with the official MCP TypeScript SDK, as a real client would, and prints what happened as one
// JSON document on stdout. The xunit specs (tests/Aisbx.Mcp.Tests) start this and judge the document.
//
//   node client.mjs stdio TAG COMMAND [ARG...]   start the server as a child and speak stdio to it
//   node client.mjs http TAG URL                 connect to a running server over Streamable HTTP
//
// TAG makes the long-running command of the cancellation scenario recognisable in /proc afterwards.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { LoggingMessageNotificationSchema } from "@modelcontextprotocol/sdk/types.js";

const [mode, tag, ...target] = process.argv.slice(2);
const transport = mode === "stdio"
  ? new StdioClientTransport({ command: target[0], args: target.slice(1), stderr: "ignore", env: serverEnvironment() })
  : new StreamableHTTPClientTransport(new URL(target[0]));

const client = new Client({ name: "aisbx-tests", version: "1.0.0" });
const logs = [];
client.setNotificationHandler(LoggingMessageNotificationSchema, (notification) => logs.push(notification.params));
await client.connect(transport);
await client.setLoggingLevel("info");

const report = {};
const call = (args, options) => client.callTool({ name: "aisbx-run", arguments: args }, undefined, options);
const summary = (result) => ({
  isError: result.isError ?? false,
  text: result.content?.map((c) => c.text).join("\n") ?? "",
  structured: result.structuredContent ?? null,
});

report.tools = (await client.listTools()).tools.map((t) => ({ name: t.name, hasOutputSchema: !!t.outputSchema, description: t.description }));

report.python = summary(await call({ code: "import sys\nprint('to stdout')\nprint('to stderr', file=sys.stderr)", language: "python" }));

report.timeout = summary(await call({ command: ["sleep", "10"], timeout: "1s" }));

report.unknownProfile = summary(await call({ command: ["true"], profile: "no-such-profile" }));

report.etcWorkdir = summary(await call({ command: ["true"], workdir: "/etc" }));

report.files = summary(await call({
  command: ["sh", "-c", "python3 src/hello.py && cat notes/data.txt"],
  profile: "python-dev",
  files: { "src/hello.py": "print('hello from a placed file')", "notes/data.txt": "placed data\n" },
}));

report.escapingFile = summary(await call({ command: ["true"], files: { "../outside.txt": "x" } }));

const many = await Promise.all(Array.from({ length: 10 }, (_, i) => call({ command: ["sh", "-c", `echo call-${i}`] })));
report.concurrent = many.map((r) => summary(r).structured?.stdout ?? null);

logs.length = 0;
report.violation = summary(await call({ code: "import ctypes\nctypes.CDLL(None).ptrace(0, 0, 0, 0)\nprint('went on')", language: "python" }));
report.violationLogs = logs.map((l) => ({ level: l.level, data: l.data }));

report.completion = (await client.complete({ ref: { type: "ref/prompt", name: "aisbx-run" }, argument: { name: "profile", value: "py" } })).completion.values;

// ./test.sh builds the built-in profiles first, so this is a no-op; if it is not, the build sends progress.
const build = await client.callTool({ name: "aisbx-build", arguments: { profile: "python-dev" } }, undefined,
  { onprogress: () => {}, resetTimeoutOnProgress: true, maxTotalTimeout: 1_200_000 });
report.build = summary(build);

report.profiles = summary(await client.callTool({ name: "aisbx-profile-list", arguments: {} }));

// Cancellation: abort a long run after a second; the SDK sends notifications/cancelled.
const controller = new AbortController();
const started = Date.now();
const long = call({ command: ["sh", "-c", `sleep 3${tag}`] }, { signal: controller.signal }).then(
  () => "completed", (error) => `aborted: ${error?.name ?? error}`);
setTimeout(() => controller.abort("test cancels"), 1000);
report.cancel = { outcome: await long, afterMs: Date.now() - started };
// Give the server a moment to act on the notification before the spec looks for the sandbox.
await new Promise((resolve) => setTimeout(resolve, 1500));

await client.close();
process.stdout.write(JSON.stringify(report) + "\n");

// The SDK starts the server with a few safe variables only; the suite's shared store of built trees goes too.
function serverEnvironment() {
  const env = getDefaultEnvironment();
  for (const name of ["AISBX_ROOTFS", "AISBX_CACHE"]) {
    if (process.env[name]) env[name] = process.env[name];
  }
  return env;
}
