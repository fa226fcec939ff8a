// Speed-ups for a program started by the Pulumi CLI's language host (stacks/main.js loads this first). None of them
// changes the resources, invokes, outputs or warnings the engine receives, or what a program error reports; each
// removes work that only slows the run. The one thing left out is the SDK's own debug chatter (see below).
"use strict";
const { Buffer } = require("node:buffer");
const protobuf = require("google-protobuf");
const debuggable = require("@pulumi/pulumi/runtime/debuggable");

/** Strings longer than this are UTF-8 encoded natively (a handler bundle is megabytes); shorter ones as before. */
const NATIVE_STRING_MIN = 512;

// The SDK records `new Error().stack` on every promise it creates, formatted at once, for one report: the list of
// leaked promises printed under PULUMI_DEBUG_PROMISE_LEAKS. Without that switch nothing reads them, so they are
// captured empty; errors the program throws keep their full stack, and the switch brings the traces back.
if (!debuggable.debugPromiseLeaks) {
  const record = debuggable.debuggablePromise;
  debuggable.debuggablePromise = function debuggablePromise(promise, ctx) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return record(promise, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
}

// google-protobuf encodes strings to UTF-8 one character at a time in JavaScript: for the handler bundles in the
// functions' code archives that is a second of every run. A string field and a bytes field share the wire format
// (length-delimited), so a long string goes out as its UTF-8 bytes, encoded by Node.
const writeString = protobuf.BinaryWriter.prototype.writeString;
protobuf.BinaryWriter.prototype.writeString = function (field, value) {
  if (typeof value !== "string" || value.length < NATIVE_STRING_MIN) return writeString.call(this, field, value);
  const bytes = Buffer.from(value, "utf8");
  this.writeBytes(field, new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length));
};

// Decoding is the same story the other way: the engine sends each resource's outputs back, code archives included.
// A string field's bytes are decoded by Node (the wire format has no other encoding than UTF-8).
protobuf.BinaryReader.prototype.readString = function readString() {
  const bytes = this.readBytes();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("utf8");
};

// The SDK also interpolates every engine response, a protobuf message, into a debug log line, and a message's
// toString serialises it whole. Those lines reach only `pulumi up --debug`; a short placeholder keeps them cheap.
protobuf.Message.prototype.toString = function toString() {
  return "[protobuf message]";
};

// The SDK sends every one of its own debug lines ("Registering resource …", "RPC prepared", "RPC finished", three or
// more a resource) to the engine as a gRPC call of its own, each waiting for the one before: about 1,750 calls for
// the dev stack, three times the registrations, and the run cannot end before the last. The CLI displays them only
// under `pulumi up --debug`; DATA_PLATFORM_SDK_DEBUG=1 sends them again. Info, warnings and errors always go.
const log = require("@pulumi/pulumi/log");
if (!process.env.DATA_PLATFORM_SDK_DEBUG)
  log.debug = function debug() {
    return Promise.resolve();
  };

// The language host formats stack traces through source-map-support; Node's own formatter costs a fraction of it.
// (Neither maps the transpiled lines back to the TypeScript: source-map-support looks for a map in the .ts file on
// disk, which has none; `process.setSourceMapsEnabled(true)` would, for about 0.4 s of the dev run.)
delete Error.prepareStackTrace;

module.exports = { NATIVE_STRING_MIN };
