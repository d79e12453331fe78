import { PageHeader } from "~/components/ui/page";
import { Operations } from "./_components/operations";

export const metadata = { title: "Operations · Affiliate platform" };

export default function OperationsPage() {
  return (
    <>
      <PageHeader
        title="Operations"
        description="The health of every moving part, from each server instance's own measurements (the numbers /metrics exports), refreshed every second. Thresholds are in the README."
      />
      <Operations />
    </>
  );
}
