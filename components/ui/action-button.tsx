// The small outlined button of table rows and cards ("Approve", "Replay", "Disable").
export function ActionButton({
  label,
  onClick,
  disabled = false,
  tone = "slate",
}: {
  label: string;
  onClick: () => void;
  disabled?: boolean;
  tone?: "slate" | "red";
}) {
  const colour = tone === "red" ? "text-red-700 ring-red-200 hover:bg-red-50" : "text-slate-800 ring-slate-300 hover:bg-slate-50";
  return (
    <button type="button" disabled={disabled} onClick={onClick} className={`rounded-md px-2.5 py-1 text-xs font-medium ring-1 ring-inset disabled:opacity-50 ${colour}`}>
      {label}
    </button>
  );
}
