/**
 * The settings page's "Staff test numbers": the only phones a staff test send may reach
 * (plugin/contacts/staff_numbers.py). The list is replaced as a whole by `setStaffTestNumbers`,
 * which normalises each number with the store's default region and refuses the whole list,
 * naming each bad number, when one is not a mobile number.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useEffect, useRef, useState } from "react";
import { useAdminMutation } from "../api/useAdmin";
import { type AdminError, AdminErrors, TextField } from "../components/ui";
import { useT } from "../i18n";
import { SET_STAFF_TEST_NUMBERS, STAFF_TEST_NUMBERS } from "./queries";
import { LoadedSection, SaveRow } from "./parts";

/** The API's own ceiling (staff_numbers.MAX_NUMBERS); it refuses more, this only stops adding. */
const MAX_NUMBERS = 20;

const rowsOf = (numbers: string[]) => (numbers.length > 0 ? numbers : [""]);

function StaffNumbersForm({ numbers }: { numbers: string[] }) {
  const t = useT();
  const [kept, setKept] = useState(numbers);
  const [rows, setRows] = useState(() => rowsOf(numbers));
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [saved, setSaved] = useState(false);
  const added = useRef(false);
  const list = useRef<HTMLOListElement>(null);
  const { run, state } = useAdminMutation(SET_STAFF_TEST_NUMBERS);
  useEffect(() => {
    if (!added.current) return;
    added.current = false;
    Array.from(list.current?.querySelectorAll("input") ?? []).pop()?.focus();
  }, [rows.length]);
  const edit = (next: string[]) => {
    setRows(next);
    setSaved(false);
  };
  const add = () => {
    added.current = true;
    edit([...rows, ""]);
  };
  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    const payload = (await run({ numbers: rows.map((r) => r.trim()).filter(Boolean) }))?.setStaffTestNumbers;
    setErrors(payload?.errors ?? []);
    if (payload?.numbers) {
      setKept(payload.numbers);
      setRows(rowsOf(payload.numbers));
      setSaved(true);
    }
  };
  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={3} aria-label={t("staff.form")}>
      {kept.length === 0 && (
        <Text as="p" size={3} color="warning1">
          {t("staff.empty")}
        </Text>
      )}
      <Box as="ol" ref={list} display="flex" flexDirection="column" gap={2} margin={0} padding={0} style={{ listStyle: "none" }}>
        {rows.map((value, i) => (
          <Box as="li" key={i} display="flex" gap={2} alignItems="flex-end">
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
                onChange={(e) => edit(rows.map((r, j) => (j === i ? e.target.value : r)))}
              />
            </Box>
            <Button type="button" variant="secondary" aria-label={t("staff.remove", { n: i + 1 })} onClick={() => edit(rows.filter((_, j) => j !== i))}>
              {t("rule.remove")}
            </Button>
          </Box>
        ))}
      </Box>
      <span className="ulak-hint" id="staff-hint">
        {t("staff.hint")}
      </span>
      <Box>
        <Button type="button" variant="secondary" disabled={rows.length >= MAX_NUMBERS} onClick={add}>
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
