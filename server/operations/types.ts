// What the operations page shows: each instance's own figures (published to instance_snapshots), the database's
// figures (read by each instance's monitor), and the health judged from both (health.ts).

export type State = "healthy" | "degraded" | "failing";

/** One instance's measurements over the last window (measure.ts), as published for the others. */
export interface InstanceFigures {
  instance: string;
  at: number;
  windowS: number;
  go: { perSecond: number; p95Ms: number | null };
  postbacks: { perSecond: number; p95Ms: number | null; unavailablePerSecond: number; rejectedPerSecond: number };
  clicks: { buffered: number; bufferMax: number; lastFlushAt: number | null; flushLagMs: number; droppedInWindow: number; flushFailuresInWindow: number };
  db: { pools: { name: string; total: number; idle: number; waiting: number; max: number }[]; errorsInWindow: number };
  fraud: { evaluationsPerSecond: number; p99Ms: number | null };
  webhooks: { inFlight: number; succeededPerSecond: number; retryPerSecond: number; failedPerSecond: number };
  live: { streams: number; subscribers: number; hubConnected: boolean; lastReadAgoMs: number | null; eventsPerSecond: number };
}

export interface EndpointBacklog {
  endpointId: string;
  url: string;
  merchantName: string;
  enabled: boolean;
  pending: number;
  oldestPendingAt: number | null;
  failingSince: number | null;
  disabledReason: string | null;
}

/** Figures only the database knows; null while it cannot be read. */
export interface DatabaseFigures {
  at: number;
  probeMs: number;
  outbox: { unprocessed: number; oldestAt: number | null };
  endpoints: EndpointBacklog[];
  reviewQueue: number;
  payoutRuns: { status: string; count: number; oldestAt: number | null }[];
  lastClickAt: number | null;
}

export interface Figure {
  label: string;
  value: string;
}

export interface Component {
  id: "database" | "go" | "postbacks" | "clicks" | "webhooks" | "fraud" | "payouts" | "rollups" | "live";
  name: string;
  state: State;
  /** Why it is not healthy, in words (empty when healthy). */
  reasons: string[];
  figures: Figure[];
}

export interface OpsReport {
  at: number;
  overall: State;
  /** Instances whose snapshot is fresh, this one first; `stale` ones stopped publishing. */
  instances: { id: string; at: number; self: boolean; stale: boolean }[];
  components: Component[];
  endpoints: (EndpointBacklog & { state: State })[];
  database: { reachable: boolean; since: number | null; lastError: string | null };
}
