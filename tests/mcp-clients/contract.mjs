// The tool contract as a client sees it through the official MCP TypeScript SDK: the tools' annotations, a program
// too large for a command-line argument, an output too large to repeat in the text, and refusals in the tool's own
// words. Prints one JSON document on stdout for the xunit specs (tests/Aisbx.Mcp.Tests/ToolContractSpecs.cs).
//
//   node contract.mjs stdio WORKDIR COMMAND [ARG...]   start the server as a child and speak stdio to it
//   node contract.mjs http WORKDIR URL                 connect to a running server over Streamable HTTP
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [mode, workdir, ...target] = process.argv.slice(2);
const transport = mode === "stdio"
  ? new StdioClientTransport({ command: target[0], args: target.slice(1), stderr: "ignore", env: serverEnvironment() })
  : new StreamableHTTPClientTransport(new URL(target[0]));

const client = new Client({ name: "aisbx-contract", version: "1.0.0" });
await client.connect(transport);

const run = (args) => client.callTool({ name: "aisbx-run", arguments: args });
const summary = (result) => ({
  isError: result.isError ?? false,
  text: result.content?.map((c) => c.text).join("\n") ?? "",
  structured: result.structuredContent ?? null,
});

const report = {};
const tools = (await client.listTools()).tools;
report.annotations = Object.fromEntries(tools.map((t) => [t.name, t.annotations ?? null]));
report.schemas = Object.fromEntries(tools.map((t) => [t.name, {
  input: { type: t.inputSchema?.type ?? null, additionalProperties: t.inputSchema?.additionalProperties ?? null, described: Object.values(t.inputSchema?.properties ?? {}).every((p) => typeof p.description === "string") },
  output: t.outputSchema?.type ?? null,
}]));

// About 1 MiB of Python: eight times Linux's limit for one argument.
const lines = 150_000;
const program = "x = 0\n" + "x += 1\n".repeat(lines) + "print(x)\n";
report.programBytes = Buffer.byteLength(program);
report.largeProgram = summary(await run({ code: program, language: "python" }));
report.largeProgramWithWorkdir = summary(await run({ code: program, language: "python", workdir }));

const output = await run({ code: "import sys\nsys.stdout.write('x' * 1000000)\nsys.stderr.write('done\\n')", language: "python" });
report.largeOutput = { ...summary(output), structured: null, stdoutLength: output.structuredContent?.stdout?.length ?? -1 };

report.timeoutAboveProfile = summary(await run({ command: ["true"], timeout: "10h" }));
report.hostNetworkOnStrict = summary(await run({ command: ["true"], profile: "strict", network: "host" }));
report.emptyProgram = summary(await run({ command: [""] }));

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
