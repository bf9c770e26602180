// Builds a profile through aisbx-build with the official MCP TypeScript SDK, as a client that shows progress would,
// and prints what it received as one JSON document on stdout: every progress notification, in order, and the result.
//
//   node build.mjs URL PROFILE [force]    connect to a running server over Streamable HTTP
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, profile, force] = process.argv.slice(2);
const client = new Client({ name: "aisbx-build-tests", version: "1.0.0" });
await client.connect(new StreamableHTTPClientTransport(new URL(url)));

const progress = [];
const args = force === "force" ? { profile, force: true } : { profile };
const result = await client.callTool({ name: "aisbx-build", arguments: args }, undefined, {
  onprogress: (p) => progress.push({ progress: p.progress, total: p.total ?? null, message: p.message ?? null }),
  // A build takes minutes; each notification shows it is alive.
  timeout: 120_000,
  resetTimeoutOnProgress: true,
  maxTotalTimeout: 1_200_000,
});

await client.close();
process.stdout.write(JSON.stringify({
  progress,
  isError: result.isError ?? false,
  text: result.content?.map((c) => c.text).join("\n") ?? "",
  structured: result.structuredContent ?? null,
}) + "\n");
