/**
 * The settings page's "Staff test numbers": the only phones a staff test send may reach
 * (plugin/contacts/staff_numbers.py). The list is replaced as a whole by `setStaffTestNumbers`,
 * which normalises each number with the store's default region and refuses the whole list,
 * naming each bad number, when one is not a mobile number. The rows are a react-hook-form field array.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { useFieldArray, useForm } from "react-hook-form";
import { useAdminMutation } from "../api/useAdmin";
import { useOnEdit } from "../components/formFields";
import { type AdminError, AdminErrors, TextField } from "../components/ui";
import { useT } from "../i18n";
import { SET_STAFF_TEST_NUMBERS, STAFF_TEST_NUMBERS } from "./queries";
import { LoadedSection, SaveRow } from "./parts";

/** The API's own ceiling (staff_numbers.MAX_NUMBERS); it refuses more, this only stops adding. */
const MAX_NUMBERS = 20;

interface Form {
  /** One row a phone (useFieldArray keeps objects, so each row is `{ value }`). */
  numbers: { value: string }[];
}

const toForm = (numbers: string[]): Form => ({ numbers: (numbers.length > 0 ? numbers : [""]).map((value) => ({ value })) });

/** The rows are react-hook-form's field array; a row added takes the focus (useFieldArray's append). */
function StaffNumbersForm({ numbers }: { numbers: string[] }) {
  const t = useT();
  const [kept, setKept] = useState(numbers);
  const { control, register, handleSubmit, watch, reset } = useForm<Form>({ defaultValues: toForm(numbers) });
  const { fields, append, remove } = useFieldArray({ control, name: "numbers" });
  // macaw-ui floats its label only over a field that has a value, so the fields stay controlled.
  const rows = watch("numbers");
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [saved, setSaved] = useState(false);
  const { run, state } = useAdminMutation(SET_STAFF_TEST_NUMBERS);
  useOnEdit(watch, () => setSaved(false)); // a change after a save takes its "Saved." away
  const add = () => {
    append({ value: "" });
    setSaved(false);
  };
  const drop = (i: number) => {
    remove(i);
    setSaved(false);
  };
  const submit = handleSubmit(async (values) => {
    const payload = (await run({ numbers: values.numbers.map((r) => r.value.trim()).filter(Boolean) }))?.setStaffTestNumbers;
    setErrors(payload?.errors ?? []);
    if (payload?.numbers) {
      setKept(payload.numbers);
      reset(toForm(payload.numbers));
      setSaved(true);
    }
  });
  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={3} aria-label={t("staff.form")}>
      {kept.length === 0 && (
        <Text as="p" size={3} color="warning1">
          {t("staff.empty")}
        </Text>
      )}
      <Box as="ol" display="flex" flexDirection="column" gap={2} margin={0} padding={0} style={{ listStyle: "none" }}>
        {fields.map((row, i) => {
          const value = rows[i]?.value ?? "";
          return (
            <Box as="li" key={row.id} display="flex" gap={2} alignItems="flex-end">
              <Box flexGrow="1" className="ulak-narrow" style={{ minWidth: 0 }}>
                <TextField
                  label={t("staff.number", { n: i + 1 })}
                  id={`staff-number-${i}`}
                  inputMode="tel"
                  autoComplete="off"
                  placeholder="+905551234567"
                  value={value}
                  aria-invalid={errors.length > 0 && value.trim() !== "" && errors.some((er) => er.message.includes(`'${value.trim()}'`))}
                  aria-describedby="staff-hint"
                  {...register(`numbers.${i}.value`)}
                />
              </Box>
              <Button type="button" variant="secondary" aria-label={t("staff.remove", { n: i + 1 })} onClick={() => drop(i)}>
                {t("rule.remove")}
              </Button>
            </Box>
          );
        })}
      </Box>
      <span className="ulak-hint" id="staff-hint">
        {t("staff.hint")}
      </span>
      <Box>
        <Button type="button" variant="secondary" disabled={fields.length >= MAX_NUMBERS} onClick={add}>
          {t("staff.add")}
        </Button>
      </Box>
      <AdminErrors errors={errors} />
      <SaveRow label={t("staff.save")} state={state} saved={saved} />
    </Box>
  );
}

export function StaffNumbersSection() {
  const t = useT();
  return (
    <LoadedSection<{ staffTestNumbers: string[] }> title={t("staff.title")} about={t("staff.about")} document={STAFF_TEST_NUMBERS}>
      {(data) => <StaffNumbersForm numbers={data.staffTestNumbers} />}
    </LoadedSection>
  );
}
