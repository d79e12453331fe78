"use client";
// A list from one query, the way every page shows one: loading and error states (QueryState), a friendly empty
// state, then the table. TableCard puts it in a Card; QueryTable alone goes inside a Card that holds more.
//   <TableCard title="Links" query={useQuery(trpc.links.mine.queryOptions())} empty={{ title: "No links yet" }}
//              label="Your links" rowKey={(l) => l.id} columns={[…]} />
import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { Card, EmptyState } from "./page";
import { QueryState } from "./query-state";
import { DataTable, type DataTableProps } from "./table";

export interface QueryTableProps<Row> extends Omit<DataTableProps<Row>, "rows"> {
  query: UseQueryResult<Row[], { message: string }>;
  /** Shown when the query returns no rows: a title and what would put rows here. */
  empty: { title: string; hint?: ReactNode };
  skeleton?: ReactNode;
  /** Rendered below the table (not when empty), e.g. the details of a selected row. */
  after?: (rows: Row[]) => ReactNode;
}

export function QueryTable<Row>({ query, empty, skeleton, after, ...table }: QueryTableProps<Row>) {
  return (
    <QueryState query={query} skeleton={skeleton}>
      {(rows) =>
        rows.length === 0 ? (
          <EmptyState title={empty.title}>{empty.hint}</EmptyState>
        ) : after ? (
          <div className="space-y-4">
            <DataTable rows={rows} {...table} />
            {after(rows)}
          </div>
        ) : (
          <DataTable rows={rows} {...table} />
        )
      }
    </QueryState>
  );
}

export function TableCard<Row>({ title, actions, ...props }: QueryTableProps<Row> & { title: ReactNode; actions?: ReactNode }) {
  return (
    <Card title={title} actions={actions}>
      <QueryTable {...props} />
    </Card>
  );
}
