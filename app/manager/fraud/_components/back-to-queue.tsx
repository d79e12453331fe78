import Link from "next/link";

/** The header action of the fraud settings pages. */
export function BackToQueue() {
  return (
    <Link href="/manager/fraud" className="rounded-md px-3 py-1.5 text-sm font-medium text-indigo-700 ring-1 ring-inset ring-indigo-200 hover:bg-indigo-50">
      Back to the review queue
    </Link>
  );
}
