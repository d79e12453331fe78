import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "~/components/trpc/client";
import "./globals.css";

export const metadata: Metadata = { title: "Affiliate platform", description: "Tracking, attribution and payouts" };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen bg-slate-50 text-slate-900 antialiased">
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
