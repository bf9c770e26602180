// An agent's loop in a live sandbox, driven through the official MCP TypeScript SDK as a real client would: create
// a sandbox, write a script and a binary file, run the script, read its output file back, start a server in the
// background and reach it from a later exec, feed a background process's stdin, signal the server, list, close,
// and use the closed handle. The SDK checks every structuredContent against the tool's outputSchema. Prints one
// JSON document on stdout for the xunit specs (tests/Aisbx.Mcp.Tests/SandboxToolSpecs.cs).
//
//   node sandbox.mjs stdio COMMAND [ARG...]   start the server as a child and speak stdio to it
//   node sandbox.mjs http URL                 connect to a running server over Streamable HTTP
import { randomBytes } from "node:crypto";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport, getDefaultEnvironment } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";

const [mode, ...target] = process.argv.slice(2);
const transport = mode === "stdio"
  ? new StdioClientTransport({ command: target[0], args: target.slice(1), stderr: "ignore", env: serverEnvironment() })
  : new StreamableHTTPClientTransport(new URL(target[0]));

const client = new Client({ name: "aisbx-sandbox-loop", version: "1.0.0" });
await client.connect(transport);

const call = (name, args) => client.callTool({ name, arguments: args });
const summary = (result) => ({
  isError: result.isError ?? false,
  text: result.content?.map((c) => c.text).join("\n") ?? "",
  structured: result.structuredContent ?? null,
});
const structured = (result, step) => {
  if (result.isError) {
    throw new Error(`${step} failed: ${result.content?.map((c) => c.text).join("\n")}`);
  }
  return result.structuredContent;
};

const report = { sessionId: transport.sessionId ?? null };
// Listing the tools also makes the SDK validate each later result against its outputSchema.
report.tools = (await client.listTools()).tools.map((t) => ({
  name: t.name, annotations: t.annotations ?? null, outputSchemaType: t.outputSchema?.type ?? null,
  required: t.inputSchema?.required ?? [], additionalProperties: t.inputSchema?.additionalProperties ?? null,
}));

report.created = summary(await call("aisbx-sandbox-create", { profile: "python-dev" }));
const sandboxId = structured(await call("aisbx-sandbox-create", { profile: "python-dev" }), "the second create").sandboxId;
report.secondClosed = summary(await call("aisbx-sandbox-close", { sandboxId }));
const id = report.created.structured.sandboxId;

const script = [
  "import os",
  "os.makedirs('out', exist_ok=True)",
  "with open('out/result.txt', 'w') as f:",
  "    f.write('squares: %s\\n' % [i * i for i in range(5)])",
  "print('wrote out/result.txt')",
].join("\n");
report.scriptBytes = Buffer.byteLength(script);
report.write = summary(await call("aisbx-file-write", { sandboxId: id, path: "script.py", content: script }));
const blob = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
report.blobBase64 = blob.toString("base64");
report.writeBinary = summary(await call("aisbx-file-write", { sandboxId: id, path: "data/blob.bin", contentBase64: report.blobBase64, mode: "0600" }));

report.exec = summary(await call("aisbx-sandbox-exec", { sandboxId: id, command: ["python3", "script.py"] }));
report.checkBinary = summary(await call("aisbx-sandbox-exec", {
  sandboxId: id, code: "import os\nb = open('data/blob.bin', 'rb').read()\nprint(len(b), sum(b), oct(os.stat('data/blob.bin').st_mode & 0o777))", language: "python",
}));
report.readOut = summary(await call("aisbx-file-read", { sandboxId: id, path: "out/result.txt" }));
report.readBinary = summary(await call("aisbx-file-read", { sandboxId: id, path: "/workspace/data/blob.bin" }));
report.readDirectory = summary(await call("aisbx-file-read", { sandboxId: id, path: "out" }));
report.list = summary(await call("aisbx-file-list", { sandboxId: id }));

report.timedOut = summary(await call("aisbx-sandbox-exec", { sandboxId: id, command: ["sleep", "30"], timeout: "1s" }));
report.afterTimeout = summary(await call("aisbx-sandbox-exec", { sandboxId: id, command: ["sh", "-c", "echo still here; cat out/result.txt"] }));

// A server in the background, reached from a later exec through loopback.
report.server = summary(await call("aisbx-sandbox-exec", {
  sandboxId: id, command: ["python3", "-u", "-m", "http.server", "8765", "--bind", "127.0.0.1", "--directory", "out"], background: true,
}));
const serverId = report.server.structured.processId;
let offset = 0;
let stderrOffset = 0;
let serverStdout = "";
let serverStderr = "";
const readServer = async () => {
  const output = structured(await call("aisbx-process-read", { sandboxId: id, processId: serverId, offset, stderrOffset }), "process-read");
  serverStdout += output.stdout;
  serverStderr += output.stderr;
  ({ offset, stderrOffset } = output);
  return output;
};
// http.server prints this line once it listens; until then, read on from the offsets returned.
for (let reads = 0; !serverStdout.includes("Serving HTTP on 127.0.0.1 port 8765") && reads < 400; reads++) {
  const output = await readServer();
  if (!output.running) {
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 25));
}
report.serverReady = serverStdout;
report.fetch = summary(await call("aisbx-sandbox-exec", {
  sandboxId: id, code: "import urllib.request\nprint(urllib.request.urlopen('http://127.0.0.1:8765/result.txt').read().decode(), end='')", language: "python",
}));
await readServer();
report.serverLog = serverStderr;
report.serverOffsets = { offset, stderrOffset, stdoutBytes: Buffer.byteLength(serverStdout), stderrBytes: Buffer.byteLength(serverStderr) };

// A background process fed through its stdin.
const echo = structured(await call("aisbx-sandbox-exec", {
  sandboxId: id, code: "import sys\nfor line in sys.stdin:\n    print('got ' + line.strip(), flush=True)", language: "python", background: true,
}), "the echo process");
report.stdinWrite = summary(await call("aisbx-process-write", { sandboxId: id, processId: echo.processId, stdin: "one\n" }));
report.stdinClose = summary(await call("aisbx-process-write", { sandboxId: id, processId: echo.processId, stdinBase64: Buffer.from("two\n").toString("base64"), close: true }));
report.echoEnded = summary(await call("aisbx-process-read", { sandboxId: id, processId: echo.processId, wait: true, timeout: "20s" }));

report.waitCut = summary(await call("aisbx-process-read", { sandboxId: id, processId: serverId, offset, stderrOffset, wait: true, timeout: 0.5 }));
report.sandboxes = summary(await call("aisbx-sandbox-list", {}));
report.signal = summary(await call("aisbx-process-signal", { sandboxId: id, processId: serverId, signal: "TERM" }));
report.serverEnded = summary(await call("aisbx-process-read", { sandboxId: id, processId: serverId, offset, stderrOffset, wait: true }));

report.outsidePath = summary(await call("aisbx-file-read", { sandboxId: id, path: "/etc/shadow" }));
report.escapingPath = summary(await call("aisbx-file-write", { sandboxId: id, path: "../escape.txt", content: "x" }));
report.badExec = summary(await call("aisbx-sandbox-exec", { sandboxId: id, command: "ls" }));
report.noProcess = summary(await call("aisbx-process-read", { sandboxId: id, processId: 99999 }));

report.close = summary(await call("aisbx-sandbox-close", { sandboxId: id }));
report.execAfterClose = summary(await call("aisbx-sandbox-exec", { sandboxId: id, command: ["true"] }));
report.readAfterClose = summary(await call("aisbx-file-read", { sandboxId: id, path: "out/result.txt" }));
report.neverExisted = summary(await call("aisbx-sandbox-exec", { sandboxId: "sbx-" + randomBytes(16).toString("hex"), command: ["true"] }));
report.sandboxesAfter = summary(await call("aisbx-sandbox-list", {}));

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
