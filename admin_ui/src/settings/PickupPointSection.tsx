/**
 * The settings page's "Pickup point": the place a template's LOCATION header shows when it is
 * mapped to the store's pickup point (plugin/stores/pickup.py). Coordinates are read here as
 * numbers (a Turkish decimal comma too); the API checks their range and the name and address.
 */
import { Box, Button, Text } from "@saleor/macaw-ui";
import { useState } from "react";
import { useForm } from "react-hook-form";
import { useAdminMutation } from "../api/useAdmin";
import { useOnEdit } from "../components/formFields";
import { type AdminError, AdminErrors, TextAreaField, TextField } from "../components/ui";
import { useT } from "../i18n";
import type { PickupPoint } from "../pages/types";
import { CLEAR_PICKUP_POINT, PICKUP_POINT, SET_PICKUP_POINT } from "./queries";
import { LoadedSection, SaveRow } from "./parts";

interface Form {
  name: string;
  address: string;
  latitude: string;
  longitude: string;
}

const toForm = (p: PickupPoint | null): Form => ({
  name: p?.name ?? "",
  address: p?.address ?? "",
  latitude: p ? String(p.latitude) : "",
  longitude: p ? String(p.longitude) : "",
});

/** A coordinate as typed ("41,0256" or "41.0256"); null when it is no number. */
export function coordinate(text: string): number | null {
  const trimmed = text.trim().replace(",", ".");
  const n = Number(trimmed);
  return trimmed === "" || !Number.isFinite(n) ? null : n;
}

/** The form's state is react-hook-form's; it checks the coordinates are numbers before sending. */
function PickupForm({ point }: { point: PickupPoint | null }) {
  const t = useT();
  const [kept, setKept] = useState(point);
  const { register, handleSubmit, watch, reset, formState } = useForm<Form>({ defaultValues: toForm(point) });
  const form = watch();
  const [errors, setErrors] = useState<AdminError[]>([]);
  const [saved, setSaved] = useState(false);
  const { run, state } = useAdminMutation(SET_PICKUP_POINT);
  const clear = useAdminMutation(CLEAR_PICKUP_POINT);
  const [cleared, setCleared] = useState(false);
  // a change after a save or a removal takes its confirmation away
  useOnEdit(watch, () => {
    setSaved(false);
    setCleared(false);
  });
  const remove = async () => {
    const payload = (await clear.run({}))?.clearPickupPoint;
    setErrors(payload?.errors ?? []);
    if (payload && payload.errors.length === 0) {
      setKept(null);
      reset(toForm(null));
      setSaved(false);
      setCleared(true);
    }
  };
  const submit = handleSubmit(async (values) => {
    const payload = (await run({ latitude: coordinate(values.latitude), longitude: coordinate(values.longitude), name: values.name, address: values.address }))?.setPickupPoint;
    setErrors(payload?.errors ?? []);
    if (payload?.pickupPoint) {
      setKept(payload.pickupPoint);
      reset(toForm(payload.pickupPoint));
      setSaved(true);
    }
  });
  const isNumber = (text: string) => coordinate(text) !== null;
  const badCoords = Boolean(formState.errors.latitude || formState.errors.longitude);
  const invalid = (field: "latitude" | "longitude" | "name" | "address") => errors.some((er) => er.field === field) || Boolean(formState.errors[field]);
  return (
    <Box as="form" onSubmit={submit} display="flex" flexDirection="column" gap={3} aria-label={t("pickup.form")}>
      {!kept && (
        <Text as="p" size={3} color="default2">
          {t("pickup.none")}
        </Text>
      )}
      <TextField label={t("pickup.name")} id="pickup-name" maxLength={100} value={form.name} aria-invalid={invalid("name")} {...register("name")} />
      <TextAreaField label={t("pickup.address")} id="pickup-address" rows={2} maxLength={300} value={form.address} aria-invalid={invalid("address")} {...register("address")} />
      <div className="ulak-grid">
        <TextField label={t("pickup.latitude")} id="pickup-lat" inputMode="decimal" placeholder="41.0256" value={form.latitude} aria-invalid={invalid("latitude")} aria-describedby="pickup-coords-hint" {...register("latitude", { validate: isNumber })} />
        <TextField label={t("pickup.longitude")} id="pickup-lng" inputMode="decimal" placeholder="28.9741" value={form.longitude} aria-invalid={invalid("longitude")} aria-describedby="pickup-coords-hint" {...register("longitude", { validate: isNumber })} />
      </div>
      <span className="ulak-hint" id="pickup-coords-hint">
        {t("pickup.coordsHint")}
      </span>
      {badCoords && (
        <Text as="p" size={3} color="critical1" role="alert">
          {t("pickup.coordsInvalid")}
        </Text>
      )}
      <AdminErrors errors={errors} />
      <SaveRow label={t("pickup.save")} state={state} saved={saved} />
      {kept && (
        <Box>
          <Button type="button" variant="secondary" disabled={clear.state.kind === "running"} onClick={remove}>
            {t("pickup.clear")}
          </Button>
        </Box>
      )}
      <span role="status" aria-live="polite">
        {cleared && (
          <Text size={3} color="success1">
            {t("pickup.cleared")}
          </Text>
        )}
      </span>
    </Box>
  );
}

export function PickupPointSection() {
  const t = useT();
  return (
    <LoadedSection<{ pickupPoint: PickupPoint | null }> title={t("pickup.title")} about={t("pickup.about")} document={PICKUP_POINT}>
      {(data) => <PickupForm point={data.pickupPoint} />}
    </LoadedSection>
  );
}
