// The fraud pages' form helpers now live in components/ui/form.tsx (shared with the rates page).
export * from "~/components/ui/form";
