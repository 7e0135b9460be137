/** The macaw-ui field helpers (./ui) bound to a react-hook-form field, for the forms that keep their state there. */
import { type ComponentProps, type ReactNode, useEffect, useRef } from "react";
import { type Control, Controller, type FieldPath, type FieldValues, get, type UseFormWatch, useFormContext } from "react-hook-form";
import { type MessageKey, useT } from "../i18n";
import { CheckField, SelectField } from "./ui";

/** A CheckField whose checked state is the boolean form field `name`. */
export function FormCheckField<T extends FieldValues, N extends FieldPath<T>>({ control, name, children, testId, disabled }: { control: Control<T>; name: N; children: ReactNode; testId?: string; disabled?: boolean }) {
  return (
    <Controller
      control={control}
      name={name}
      render={({ field }) => (
        <CheckField checked={field.value as boolean} onChange={field.onChange} testId={testId} disabled={disabled}>
          {children}
        </CheckField>
      )}
    />
  );
}

/** A SelectField whose value is the form field `name` (one of `options`). */
export function FormSelectField<T extends FieldValues, N extends FieldPath<T>, V extends string>({ control, name, ...props }: { control: Control<T>; name: N } & Omit<ComponentProps<typeof SelectField<V>>, "value" | "onChange">) {
  return <Controller control={control} name={name} render={({ field }) => <SelectField<V> {...props} value={field.value as V} onChange={field.onChange} />} />;
}

/** Calls `onEdit` whenever the user changes a field of the form `watch` belongs to (not on a
 * reset): the forms take their "Saved." away on the next edit. */
export function useOnEdit<T extends FieldValues>(watch: UseFormWatch<T>, onEdit: () => void) {
  const latest = useRef(onEdit);
  latest.current = onEdit;
  useEffect(() => {
    const sub = watch((_, { type }) => {
      if (type === "change") latest.current();
    });
    return () => sub.unsubscribe();
  }, [watch]);
}

/** The problem of a field of the surrounding form (FormProvider), in the dashboard's language:
 * forms whose checks give a message key as the error's message (the campaign wizard's). */
export function useProblem<T extends FieldValues>() {
  const t = useT();
  const {
    formState: { errors },
  } = useFormContext<T>();
  return (name: FieldPath<T>, params?: Record<string, string | number>): string | undefined => {
    const message: unknown = (get(errors, name) as { message?: unknown } | undefined)?.message;
    return typeof message === "string" && message ? t(message as MessageKey, params) : undefined;
  };
}
