// The network allowlist's arguments as a client sees them through the official MCP TypeScript SDK: the tools'
// schemas, refused allowHosts (each an isError result naming the rule), a host a key's grant adds, and the profile
// listing's egress. Prints one JSON document on stdout for the xunit specs (tests/Aisbx.Mcp.Tests/EgressArgumentSpecs.cs).
//
//   node egress.mjs URL API_KEY
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [url, key] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
const client = new Client({ name: "aisbx-egress", version: "1.0.0" });
await client.connect(transport);

const call = (name, args) => client.callTool({ name, arguments: args });
const summary = (result) => ({ isError: result.isError ?? false, text: result.content?.map((c) => c.text).join("\n") ?? "" });

const report = {};
const tools = (await client.listTools()).tools;
report.schemas = Object.fromEntries(["aisbx-run", "aisbx-sandbox-create"].map((name) => {
  const properties = tools.find((t) => t.name === name).inputSchema.properties;
  return [name, { network: properties.network.enum, allowHosts: properties.allowHosts?.type ?? null }];
}));

report.notGranted = summary(await call("aisbx-run", { command: ["true"], profile: "python-dev", allowHosts: ["registry.npmjs.org"] }));
report.tooBroad = summary(await call("aisbx-run", { command: ["true"], allowHosts: ["*"] }));
report.invalid = summary(await call("aisbx-run", { command: ["true"], allowHosts: ["pypi.org:70000"] }));
report.withoutAllowlist = summary(await call("aisbx-run", { command: ["true"], network: "none", allowHosts: ["pypi.org"] }));
report.notStrings = summary(await call("aisbx-run", { command: ["true"], allowHosts: "pypi.org" }));
report.badMode = summary(await call("aisbx-run", { command: ["true"], network: "lan" }));
// The key's grant covers the host, so the run gets past the egress rule and is refused by the next one it breaks.
report.granted = summary(await call("aisbx-run", { command: ["true"], allowHosts: ["granted.example"], timeout: "10h" }));
report.sandboxNotGranted = summary(await call("aisbx-sandbox-create", { profile: "python-dev", allowHosts: ["evil.example"] }));
report.profiles = (await call("aisbx-profile-list", {})).structuredContent;

await client.close();
process.stdout.write(JSON.stringify(report) + "\n");
