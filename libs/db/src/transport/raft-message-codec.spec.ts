import {
  DEFAULT_RAFT_CONFIG,
  EntryType,
  Message,
  MessageType,
  NodeId,
  RaftError,
  RaftNode,
  Role,
  StateRole,
} from "@app/raft";
import {
  decodeRaftMessage,
  encodeRaftMessage,
  RaftMessageDecodeError,
} from "./raft-message-codec";

const roundTrip = (m: Message): Message =>
  decodeRaftMessage(encodeRaftMessage(m));
const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

const snapshotChunk = {
  meta: {
    index: 1200,
    term: 7,
    membership: [
      { id: 1, role: Role.Voter },
      { id: 2, role: Role.Standby },
      { id: 3, role: Role.Spare },
    ],
  },
  offset: 262144,
  data: bytes(0, 1, 2, 255, 128, 0),
  total: 1048576,
  done: false,
};

const EXAMPLES: Record<MessageType, Message> = {
  [MessageType.PreVote]: {
    type: MessageType.PreVote,
    from: 1,
    to: 2,
    term: 5,
    index: 42,
    logTerm: 4,
    transfer: false,
  },
  [MessageType.PreVoteResp]: {
    type: MessageType.PreVoteResp,
    from: 2,
    to: 1,
    term: 5,
    reject: false,
  },
  [MessageType.Vote]: {
    type: MessageType.Vote,
    from: 1,
    to: 3,
    term: 6,
    index: 42,
    logTerm: 4,
    transfer: true,
  },
  [MessageType.VoteResp]: {
    type: MessageType.VoteResp,
    from: 3,
    to: 1,
    term: 6,
    reject: true,
  },
  [MessageType.Append]: {
    type: MessageType.Append,
    from: 1,
    to: 2,
    term: 6,
    index: 42,
    logTerm: 4,
    commit: 40,
    entries: [
      { index: 43, term: 6, type: EntryType.Normal, data: new Uint8Array(0) },
      {
        index: 44,
        term: 6,
        type: EntryType.Normal,
        data: bytes(0, 0, 0xde, 0xad, 0xbe, 0xef, 0xff),
      },
      {
        index: 45,
        term: 6,
        type: EntryType.ConfChange,
        data: new TextEncoder().encode('{"kind":"remove","id":3}'),
      },
    ],
  },
  [MessageType.AppendResp]: {
    type: MessageType.AppendResp,
    from: 2,
    to: 1,
    term: 6,
    reject: true,
    hintIndex: 0,
    hintTerm: 0,
  },
  [MessageType.Heartbeat]: {
    type: MessageType.Heartbeat,
    from: 1,
    to: 2,
    term: 6,
    commit: 0,
    context: "",
    sentTick: 123456,
  },
  [MessageType.HeartbeatResp]: {
    type: MessageType.HeartbeatResp,
    from: 2,
    to: 1,
    term: 6,
    context: "read-1",
    sentTick: 0,
  },
  [MessageType.Snapshot]: {
    type: MessageType.Snapshot,
    from: 1,
    to: 3,
    term: 6,
    snapshot: snapshotChunk,
  },
  [MessageType.SnapshotResp]: {
    type: MessageType.SnapshotResp,
    from: 3,
    to: 1,
    term: 6,
    index: 1200,
    reject: false,
    done: true,
  },
  [MessageType.TimeoutNow]: {
    type: MessageType.TimeoutNow,
    from: 1,
    to: 2,
    term: 6,
  },
  [MessageType.Propose]: {
    type: MessageType.Propose,
    from: 2,
    to: 1,
    term: 6,
    entries: [
      { index: 0, term: 0, type: EntryType.Normal, data: bytes(1, 2, 3) },
    ],
  },
  [MessageType.ReadIndex]: {
    type: MessageType.ReadIndex,
    from: 3,
    to: 1,
    term: 6,
    context: "ctx-ü-✓",
    wantLease: true,
  },
  [MessageType.ReadIndexResp]: {
    type: MessageType.ReadIndexResp,
    from: 1,
    to: 3,
    term: 6,
    index: 47,
    context: "ctx-ü-✓",
    reject: false,
    leaseTicks: 7,
  },
};

describe("raft message codec", () => {
  it.each(Object.values(MessageType))("round-trips a %s message", (type) => {
    const m = EXAMPLES[type];
    expect(m.type).toBe(type);
    const back = roundTrip(m);
    expect(back).toEqual(m);
    // Same set of keys: nothing undefined shows up as a present key, nothing set goes missing.
    expect(Object.keys(back).sort()).toEqual(Object.keys(m).sort());
  });

  it("keeps undefined optional fields undefined and set zero/false/empty values", () => {
    const bare = roundTrip({
      type: MessageType.AppendResp,
      from: 1,
      to: 2,
      term: 0,
    });
    expect(bare).toEqual({
      type: MessageType.AppendResp,
      from: 1,
      to: 2,
      term: 0,
    });
    expect(Object.keys(bare).sort()).toEqual(["from", "term", "to", "type"]);
    for (const key of [
      "index",
      "logTerm",
      "commit",
      "hintIndex",
      "hintTerm",
      "sentTick",
      "leaseTicks",
      "entries",
      "reject",
      "transfer",
      "wantLease",
      "done",
      "context",
      "snapshot",
    ]) {
      expect(bare).not.toHaveProperty(key);
    }

    const zeros: Message = {
      type: MessageType.Append,
      from: 0,
      to: 0,
      term: 0,
      index: 0,
      logTerm: 0,
      commit: 0,
      hintIndex: 0,
      hintTerm: 0,
      sentTick: 0,
      leaseTicks: 0,
      entries: [],
      reject: false,
      transfer: false,
      wantLease: false,
      done: false,
      context: "",
    };
    const back = roundTrip(zeros);
    expect(back).toEqual(zeros);
    expect(Object.keys(back).sort()).toEqual(Object.keys(zeros).sort());
    expect(back.entries).toEqual([]);
  });

  it("distinguishes entries undefined from []", () => {
    expect(
      roundTrip({ type: MessageType.Append, from: 1, to: 2, term: 1 }).entries,
    ).toBeUndefined();
    expect(
      roundTrip({
        type: MessageType.Append,
        from: 1,
        to: 2,
        term: 1,
        entries: [],
      }).entries,
    ).toEqual([]);
  });

  it("returns plain Uint8Array data, for empty and binary payloads", () => {
    const all = new Uint8Array(256).map((_, i) => i);
    const m: Message = {
      type: MessageType.Append,
      from: 1,
      to: 2,
      term: 3,
      entries: [
        { index: 1, term: 3, type: EntryType.Normal, data: new Uint8Array(0) },
        { index: 2, term: 3, type: EntryType.Normal, data: all },
      ],
    };
    const back = roundTrip(m);
    expect(back).toEqual(m);
    for (const e of back.entries!) {
      expect(Object.getPrototypeOf(e.data)).toBe(Uint8Array.prototype);
    }
    expect(back.entries![0].data).toEqual(new Uint8Array(0));
    expect(Array.from(back.entries![1].data)).toEqual(Array.from(all));

    // Decoding from a Buffer (what a socket hands over) gives the same result.
    expect(decodeRaftMessage(Buffer.from(encodeRaftMessage(m)))).toEqual(m);
  });

  it("round-trips a snapshot chunk with members of every role", () => {
    for (const done of [false, true]) {
      const m: Message = {
        type: MessageType.Snapshot,
        from: 1,
        to: 2,
        term: 9,
        snapshot: {
          ...snapshotChunk,
          done,
          data: done ? new Uint8Array(0) : snapshotChunk.data,
        },
      };
      const back = roundTrip(m);
      expect(back).toEqual(m);
      expect(back.snapshot!.meta.membership.map((x) => x.role)).toEqual([
        Role.Voter,
        Role.Standby,
        Role.Spare,
      ]);
      expect(Object.getPrototypeOf(back.snapshot!.data)).toBe(
        Uint8Array.prototype,
      );
    }
  });

  it("carries large indexes (2^40 and MAX_SAFE_INTEGER) exactly", () => {
    const big = 2 ** 40;
    const m: Message = {
      type: MessageType.Append,
      from: 2 ** 33,
      to: 3,
      term: big + 1,
      index: big,
      logTerm: big - 1,
      commit: Number.MAX_SAFE_INTEGER,
      sentTick: big * 3,
      entries: [
        {
          index: big + 1,
          term: big + 1,
          type: EntryType.Normal,
          data: bytes(9),
        },
      ],
    };
    const back = roundTrip(m);
    expect(back).toEqual(m);
    expect(typeof back.index).toBe("number");
    expect(back.commit).toBe(Number.MAX_SAFE_INTEGER);
  });

  it("refuses values above MAX_SAFE_INTEGER", () => {
    const m: Message = {
      type: MessageType.Heartbeat,
      from: 1,
      to: 2,
      term: 1,
      commit: Number.MAX_SAFE_INTEGER + 1,
    };
    expect(() => encodeRaftMessage(m)).toThrow(/MAX_SAFE_INTEGER/);
    expect(() => encodeRaftMessage({ ...m, commit: -1 })).toThrow(
      /non-negative integer/,
    );
    expect(() => encodeRaftMessage({ ...m, commit: 1.5 })).toThrow(
      /non-negative integer/,
    );

    // A peer sending a uint64 beyond 2^53 is refused on decode: field 8 (commit) = 2^64-1.
    const good = encodeRaftMessage({
      type: MessageType.Heartbeat,
      from: 1,
      to: 2,
      term: 1,
    });
    const huge = Uint8Array.from([
      ...good,
      0x40,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0x01,
    ]);
    expect(() => decodeRaftMessage(huge)).toThrow(RaftMessageDecodeError);
    expect(() => decodeRaftMessage(huge)).toThrow(/commit.*MAX_SAFE_INTEGER/);
  });

  it("throws RaftMessageDecodeError on malformed input", () => {
    const garbage = [
      bytes(0xff, 0xff, 0xff, 0xff, 0xff),
      bytes(0x0a, 0x80), // truncated length
      Uint8Array.from({ length: 64 }, (_, i) => (i * 97 + 13) & 0xff),
      new TextEncoder().encode("definitely not protobuf"),
      new Uint8Array(0), // no type/from/to/term
      bytes(0x08, 0x63), // type 99: unknown
    ];
    for (const g of garbage) {
      expect(() => decodeRaftMessage(g)).toThrow(RaftMessageDecodeError);
    }
    // Truncating a valid message anywhere either fails cleanly or yields a still-valid prefix message.
    const full = encodeRaftMessage(EXAMPLES[MessageType.Snapshot]);
    for (let n = 1; n < full.length; n++) {
      try {
        decodeRaftMessage(full.subarray(0, n));
      } catch (err) {
        expect(err).toBeInstanceOf(RaftMessageDecodeError);
        expect((err as Error).message.length).toBeGreaterThan(10);
      }
    }
  });

  it("drives a real 3-node cluster with every message going through encode→decode", () => {
    const ids: NodeId[] = [1, 2, 3];
    const membership = ids.map((id) => ({ id, role: Role.Voter }));
    const nodes = new Map<NodeId, RaftNode>(
      ids.map((id) => [
        id,
        new RaftNode(
          { ...DEFAULT_RAFT_CONFIG, id, random: () => 0.37 },
          RaftNode.bootstrapState(membership),
        ),
      ]),
    );
    const inbox: Uint8Array[] = [];
    const seenTypes = new Set<MessageType>();
    let delivered = 0;

    const collect = (): void => {
      for (const n of nodes.values()) {
        while (n.hasReady()) {
          for (const m of n.ready().messages) {
            const wire = encodeRaftMessage(m);
            const back = decodeRaftMessage(wire);
            expect(back).toEqual(m);
            inbox.push(wire);
          }
        }
      }
    };
    const deliverAll = (): void => {
      collect();
      while (inbox.length) {
        const m = decodeRaftMessage(inbox.shift()!);
        seenTypes.add(m.type);
        delivered++;
        nodes.get(m.to)!.step(m);
        collect();
      }
    };

    let proposed = 0;
    for (let t = 0; t < 300; t++) {
      for (const n of nodes.values()) {
        n.tick();
        deliverAll();
      }
      if (t % 5 === 0) {
        const n = nodes.get(ids[t % ids.length])!;
        try {
          n.propose(new TextEncoder().encode(`cmd-${t}`));
          proposed++;
        } catch (err) {
          if (!(err instanceof RaftError)) throw err;
        }
        deliverAll();
      }
    }

    const statuses = ids.map((id) => nodes.get(id)!.status());
    const leaders = statuses.filter((s) => s.role === StateRole.Leader);
    expect(leaders).toHaveLength(1);
    const commits = statuses.map((s) => s.commit);
    expect(new Set(commits).size).toBe(1);
    expect(commits[0]).toBeGreaterThan(10);
    expect(proposed).toBeGreaterThan(10);
    expect(delivered).toBeGreaterThan(100);
    for (const type of [
      MessageType.PreVote,
      MessageType.Vote,
      MessageType.Append,
      MessageType.AppendResp,
      MessageType.Heartbeat,
    ]) {
      expect(seenTypes.has(type)).toBe(true);
    }
  });
});
