import { describe, expect, it } from "vitest";
import { AppError } from "@/lib/errors";
import { currentWriteFailure, storeWrite, writeFailureReason } from "./store-writes";

// The engine's words for "cannot write", as ClickHouse and the OS put them.
// lib/ingest/store-full.test.ts proves the whole path on a real file size limit.

describe("writeFailureReason", () => {
  it("names the conditions under which the store cannot write", () => {
    const cases: [string, string][] = [
      ["Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)", "the disk is full"],
      ["Code: 75. DB::Exception: Cannot write to file /data/clickhouse/store/tmp_insert_1/data.bin: , errno: 28, strerror: No space left on device. (CANNOT_WRITE_TO_FILE_DESCRIPTOR)", "the disk is full"],
      ["Code: 75. DB::Exception: Cannot write to file /data/clickhouse/store/tmp_insert_1/data.bin: , errno: 27, strerror: File too large. (CANNOT_WRITE_TO_FILE_DESCRIPTOR)", "a file size limit was reached"],
      ["errno: 122, strerror: Disk quota exceeded", "a disk quota was reached"],
      ["Code: 1001. DB::Exception: std::__1::__fs::filesystem::filesystem_error: filesystem error: in create_directories: Read-only file system", "the file system is read-only"],
      ["Code: 252. DB::Exception: Too many parts (3001 with average size of 1.00 KiB) in table 'enclave.events'. Merges are processing significantly slower than inserts. (TOO_MANY_PARTS)", "too many parts are waiting to be merged"],
      ["Code: 95. DB::Exception: Cannot fsync file data.bin. (CANNOT_FSYNC)", "the engine could not write its files"],
    ];
    for (const [message, reason] of cases) expect(writeFailureReason(new Error(message)), message).toBe(reason);
  });

  it("leaves every other error alone", () => {
    for (const message of ["Code: 62. DB::Exception: Syntax error", "Code: 27. DB::Exception: Cannot parse input: expected '\"' before: 'x'. (CANNOT_PARSE_INPUT_ASSERTION_FAILED)", "connect ECONNREFUSED 127.0.0.1:8123"]) {
      expect(writeFailureReason(new Error(message)), message).toBeUndefined();
    }
  });
});

describe("storeWrite", () => {
  it("turns a store that cannot write into a 503, remembers it until a write succeeds, and passes other errors through", async () => {
    const full = storeWrite("server", () => Promise.reject(new Error("Code: 243. DB::Exception: Cannot reserve 1.00 MiB, not enough space. (NOT_ENOUGH_SPACE)")));
    await expect(full).rejects.toMatchObject({ code: "store_unavailable", status: 503, message: expect.stringMatching(/^The analytics store cannot write right now \(the disk is full\)\. Nothing from this request was stored\./) });
    await expect(full).rejects.toBeInstanceOf(AppError);
    expect(currentWriteFailure()).toMatchObject({ reason: "the disk is full", failures: 1 });
    const other = new Error("Code: 62. DB::Exception: Syntax error");
    await expect(storeWrite("server", () => Promise.reject(other))).rejects.toBe(other);
    expect(currentWriteFailure()?.failures).toBe(1);
    await expect(storeWrite("server", async () => "written")).resolves.toBe("written");
    expect(currentWriteFailure()).toBeUndefined();
  });
});
