import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "~/components/trpc/client";
import "./globals.css";

export const metadata: Metadata = { title: "Affiliate platform", description: "Tracking, attribution and payouts" };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page is rendered per request, so each carries its request's CSP nonce (proxy.ts); a prerendered page
  // would have scripts without one.
  await connection();
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
