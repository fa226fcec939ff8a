import * as assert from "node:assert/strict";
import { gunzipSync, gzipSync } from "node:zlib";
import { Readable } from "node:stream";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { LocalS3, startS3 } from "../../tools/local-servers";

// The local S3 endpoint the handler suites run against, driven through the real SDK client.
describe("local S3 endpoint (tools/local-s3.ts)", () => {
  let s3: LocalS3;
  before(async () => {
    s3 = await startS3(["raw"]);
  });
  after(() => s3.stop());

  it("stores and returns bytes, type, encoding, metadata and a quoted MD5 ETag", async () => {
    const body = gzipSync(Buffer.from('{"a":1}\n'));
    const put = await s3.client.send(
      new PutObjectCommand({
        Bucket: "raw",
        Key: "d/x é+1.json.gz",
        Body: body,
        ContentType: "application/json",
        ContentEncoding: "gzip",
        Metadata: { source: "crm" },
        ServerSideEncryption: "aws:kms",
        SSEKMSKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k",
      }),
    );
    assert.match(put.ETag ?? "", /^"[0-9a-f]{32}"$/);
    const got = await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: "d/x é+1.json.gz" }));
    assert.equal(got.ETag, put.ETag);
    assert.equal(got.ContentType, "application/json");
    assert.equal(got.ContentEncoding, "gzip");
    assert.deepEqual(got.Metadata, { source: "crm" });
    assert.equal(got.ServerSideEncryption, "aws:kms");
    assert.equal(gunzipSync(Buffer.from(await got.Body!.transformToByteArray())).toString(), '{"a":1}\n');
    const head = await s3.client.send(new HeadObjectCommand({ Bucket: "raw", Key: "d/x é+1.json.gz" }));
    assert.equal(head.ContentLength, body.length);
  });

  it("takes a streamed body (aws-chunked, checksum trailer) and serves byte ranges", async () => {
    const text = "0123456789".repeat(10_000);
    const Body = Readable.from([Buffer.from(text.slice(0, 7)), Buffer.from(text.slice(7))]);
    await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: "stream.txt", Body, ContentLength: text.length }));
    const whole = await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: "stream.txt" }));
    assert.equal(await whole.Body!.transformToString(), text);
    const part = await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: "stream.txt", Range: "bytes=5-14" }));
    assert.equal(await part.Body!.transformToString(), "5678901234");
    assert.equal(part.ContentRange, `bytes 5-14/${text.length}`);
    const tail = await s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: "stream.txt", Range: "bytes=-3" }));
    assert.equal(await tail.Body!.transformToString(), "789");
  });

  it("lists in key order by pages, with prefixes and a delimiter", async () => {
    for (const k of ["p/b", "p/a", "p/c/1", "p/c/2", "q/z"]) {
      await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: k, Body: k }));
    }
    const first = await s3.client.send(new ListObjectsV2Command({ Bucket: "raw", Prefix: "p/", MaxKeys: 2 }));
    assert.deepEqual(
      first.Contents?.map((c) => c.Key),
      ["p/a", "p/b"],
    );
    assert.equal(first.IsTruncated, true);
    const rest = await s3.client.send(
      new ListObjectsV2Command({ Bucket: "raw", Prefix: "p/", ContinuationToken: first.NextContinuationToken }),
    );
    assert.deepEqual(
      rest.Contents?.map((c) => c.Key),
      ["p/c/1", "p/c/2"],
    );
    assert.equal(rest.IsTruncated, false);
    const folders = await s3.client.send(new ListObjectsV2Command({ Bucket: "raw", Prefix: "p/", Delimiter: "/" }));
    assert.deepEqual(
      folders.Contents?.map((c) => c.Key),
      ["p/a", "p/b"],
    );
    assert.deepEqual(
      folders.CommonPrefixes?.map((c) => c.Prefix),
      ["p/c/"],
    );
    assert.deepEqual(await s3.keys("raw", "p/c/"), ["p/c/1", "p/c/2"]);
  });

  it("answers a missing key with NoSuchKey and deletes", async () => {
    await s3.client.send(new PutObjectCommand({ Bucket: "raw", Key: "gone", Body: "x" }));
    await s3.client.send(new DeleteObjectCommand({ Bucket: "raw", Key: "gone" }));
    await assert.rejects(s3.client.send(new GetObjectCommand({ Bucket: "raw", Key: "gone" })), NoSuchKey);
    await assert.rejects(s3.client.send(new HeadObjectCommand({ Bucket: "raw", Key: "gone" })), { name: "NotFound" });
    await assert.rejects(s3.client.send(new GetObjectCommand({ Bucket: "other", Key: "k" })), { name: "NoSuchBucket" });
  });
});
