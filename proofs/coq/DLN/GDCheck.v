(* The GD trajectory by reflection (SPEC §4.1, FORMAT.md §4.8): a Coq function re-runs the
   kernel's dyadic interval enclosure of β_k and r_k (mantissas in Bignums' BigZ, so vm_compute
   multiplies machine words), then checks the tail inequalities in Q. Soundness: each box holds
   the exact real iterate (traj_sound), and the tail check gives the hypotheses of gd_tail. *)
From Coq Require Import Reals Lra Lia List QArith Qreals Qabs Qminmax ZArith Bool.
From Bignums Require Import BigZ.
From DLN Require Import GD.
Import ListNotations.
Local Open Scope R_scope.

(** * The statements *)

Definition within (iv : Q * Q) (v : R) : Prop := Q2R (fst iv) <= v <= Q2R (snd iv).

(* box_i ∋ b_i for every coordinate *)
Definition in_box (box : list (Q * Q)) (b : list R) : Prop :=
  length b = length box /\
  forall i, (i < length box)%nat -> within (nth i box (0%Q, 0%Q)) (nth i b 0).

(* GD at rate η from w0 = α·1 on the data point (x, y) converges to a zero-loss binf ∈ box *)
Definition gd_limit_in (x : list Q) (y alpha eta : Q) (box : list (Q * Q)) (binf : list R) : Prop :=
  gd_converges (Q2R eta) (Q2R y) (Q2R alpha) (map Q2R x) binf /\ in_box box binf.

(* S(β) = 4 Σ x_i² β_i (the sharpness on M, Network.v) *)
Definition sharpR (x : list Q) (b : list R) : R := 4 * dotR (map (fun xi => Q2R xi ^ 2) x) b.

(* the `gd-limit` claim: the limit, its norm N = Σβ_i, its sharpness S and the EoS margin 2/η − S *)
Definition gd_limit_claim (x : list Q) (y alpha eta : Q) (box : list (Q * Q)) (norm sharp eos : Q * Q) : Prop :=
  exists binf, gd_limit_in x y alpha eta box binf /\
    within norm (sumR binf) /\ within sharp (sharpR x binf) /\
    within eos (2 / Q2R eta - sharpR x binf).

(** * Dyadic numbers m·2^e, m a BigZ *)
Definition dyadic := (bigZ * bigZ)%type.
Definition Dval (a : dyadic) : R := IZR (BigZ.to_Z (fst a)) * powerRZ 2 (BigZ.to_Z (snd a)).
Definition DQ (a : dyadic) : Q :=
  let m := BigZ.to_Z (fst a) in let e := BigZ.to_Z (snd a) in
  if Z.leb 0 e then inject_Z (m * 2 ^ e) else Qmake m (Z.to_pos (2 ^ (- e))).

Definition emin (p : bigZ) : bigZ := (- p - 2048)%bigZ.
(* ↓a (up = false) or ↑a (up = true) at p bits with the exponent floor (FORMAT.md §4.8) *)
(* the number of low bits to cut: at most p bits are left, and the exponent stays ≥ emin p *)
Definition rshift (p : bigZ) (m : bigZ) (e : bigZ) : bigZ :=
  let b := if BigZ.eqb m 0 then 0%bigZ else (BigZ.log2 (BigZ.abs m) + 1)%bigZ in
  BigZ.max (b - p) (emin p - e).
Definition dround (p : bigZ) (up : bool) (a : dyadic) : dyadic :=
  let (m, e) := a in
  let s := rshift p m e in
  if BigZ.leb s 0 then a else
  let q := BigZ.shiftr m s in
  if up then (if BigZ.eqb (BigZ.shiftl q s) m then (q, (e + s)%bigZ) else (BigZ.succ q, (e + s)%bigZ))
  else (q, (e + s)%bigZ).
Definition dadd (a b : dyadic) : dyadic :=
  let (m1, e1) := a in let (m2, e2) := b in
  if BigZ.eqb m2 0 then a else if BigZ.eqb m1 0 then b else
  if BigZ.leb e1 e2 then (BigZ.add (BigZ.shiftl m2 (e2 - e1)) m1, e1)
  else (BigZ.add (BigZ.shiftl m1 (e1 - e2)) m2, e2).
Definition dmul (a b : dyadic) : dyadic := (BigZ.mul (fst a) (fst b), (snd a + snd b)%bigZ).
Definition dneg (a : dyadic) : dyadic := (BigZ.opp (fst a), snd a).
Definition dnonneg (a : dyadic) : bool := BigZ.leb 0 (fst a).
Definition dle (a b : dyadic) : bool := dnonneg (dadd b (dneg a)).
Definition dmin (a b : dyadic) : dyadic := if dle a b then a else b.
Definition dmax (a b : dyadic) : dyadic := if dle a b then b else a.

(* intervals [lo, hi] *)
Definition ival := (dyadic * dyadic)%type.
Definition ienc (a : ival) (v : R) : Prop := Dval (fst a) <= v <= Dval (snd a).
Definition iout p (lo hi : dyadic) : ival := (dround p false lo, dround p true hi).
Definition iadd p (a b : ival) : ival := iout p (dadd (fst a) (fst b)) (dadd (snd a) (snd b)).
Definition isub p (a b : ival) : ival := iout p (dadd (fst a) (dneg (snd b))) (dadd (snd a) (dneg (fst b))).
Definition dnonpos (a : dyadic) : bool := BigZ.leb (fst a) 0.
(* the range of u·v by the signs of the ends (the kernel's min and max of the four products,
   FORMAT.md §4.8; only when both intervals contain 0 in their interior are all four formed) *)
Definition imul p (a b : ival) : ival :=
  let '(a1, a2) := a in let '(b1, b2) := b in
  if dnonneg a1 then
    (if dnonneg b1 then iout p (dmul a1 b1) (dmul a2 b2)
     else if dnonpos b2 then iout p (dmul a2 b1) (dmul a1 b2)
     else iout p (dmul a2 b1) (dmul a2 b2))
  else if dnonpos a2 then
    (if dnonneg b1 then iout p (dmul a1 b2) (dmul a2 b1)
     else if dnonpos b2 then iout p (dmul a2 b2) (dmul a1 b1)
     else iout p (dmul a1 b2) (dmul a1 b1))
  else if dnonneg b1 then iout p (dmul a1 b2) (dmul a2 b2)
  else if dnonpos b2 then iout p (dmul a2 b1) (dmul a1 b1)
  else
    let p1 := dmul a1 b1 in let p2 := dmul a1 b2 in
    let p3 := dmul a2 b1 in let p4 := dmul a2 b2 in
    iout p (dmin (dmin p1 p2) (dmin p3 p4)) (dmax (dmax p1 p2) (dmax p3 p4)).

Definition dzero : dyadic := (0%bigZ, 0%bigZ).
Definition done : dyadic := (1%bigZ, 0%bigZ).
Definition izero : ival := (dzero, dzero).
Definition ione : ival := (done, done).

(** * Soundness of the dyadic operations *)

Lemma IZR_pow2 k : (0 <= k)%Z -> IZR (2 ^ k) = powerRZ 2 k.
Proof.
  intros Hk. rewrite <- (Z2Nat.id k Hk). rewrite <- pow_IZR, pow_powerRZ. reflexivity.
Qed.

Lemma Dval_shift m e s : (0 <= s)%Z ->
  IZR (m * 2 ^ s) * powerRZ 2 e = IZR m * powerRZ 2 (e + s).
Proof.
  intros Hs. rewrite mult_IZR, IZR_pow2 by exact Hs. rewrite powerRZ_add by lra. ring.
Qed.

Lemma Dval_DQ a : Q2R (DQ a) = Dval a.
Proof.
  destruct a as [m e']. unfold DQ, Dval, Q2R. simpl. set (e := BigZ.to_Z e'). destruct (Z.leb_spec 0 e).
  - simpl. rewrite Rinv_1, Rmult_1_r, mult_IZR, IZR_pow2 by exact H. reflexivity.
  - simpl. rewrite Z2Pos.id by (apply Z.pow_pos_nonneg; lia).
    rewrite IZR_pow2 by lia. rewrite <- powerRZ_neg', Z.opp_involutive. reflexivity.
Qed.

Lemma pow2_pos e : 0 < powerRZ 2 e.
Proof. apply powerRZ_lt. lra. Qed.

Lemma dround_dn p a : Dval (dround p false a) <= Dval a.
Proof.
  destruct a as [m e]. unfold dround.
  set (s := rshift p m e). destruct (BigZ.leb s 0) eqn:Es; [lra|].
  rewrite BigZ.spec_leb in Es. apply Z.leb_gt in Es. change (BigZ.to_Z 0) with 0%Z in Es.
  unfold Dval. simpl.
  rewrite BigZ.spec_shiftr, Z.shiftr_div_pow2 by lia. rewrite BigZ.spec_add.
  rewrite <- Dval_shift by lia. apply Rmult_le_compat_r; [left; apply pow2_pos|].
  apply IZR_le. rewrite Z.mul_comm. apply Z.mul_div_le. apply Z.pow_pos_nonneg; lia.
Qed.

Lemma dround_up p a : Dval a <= Dval (dround p true a).
Proof.
  destruct a as [m e]. unfold dround.
  set (s := rshift p m e). destruct (BigZ.leb s 0) eqn:Es; [lra|].
  rewrite BigZ.spec_leb in Es. apply Z.leb_gt in Es. change (BigZ.to_Z 0) with 0%Z in Es.
  assert (H2 : (0 < 2 ^ BigZ.to_Z s)%Z) by (apply Z.pow_pos_nonneg; lia).
  destruct (BigZ.eqb _ _) eqn:E; unfold Dval; simpl; rewrite BigZ.spec_add.
  - rewrite BigZ.spec_eqb, BigZ.spec_shiftl, BigZ.spec_shiftr in E.
    apply Z.eqb_eq in E. rewrite <- Dval_shift by lia.
    rewrite BigZ.spec_shiftr, <- Z.shiftl_mul_pow2 by lia. rewrite E. lra.
  - rewrite BigZ.spec_succ, BigZ.spec_shiftr, Z.shiftr_div_pow2 by lia.
    rewrite <- Dval_shift by lia. apply Rmult_le_compat_r; [left; apply pow2_pos|].
    apply IZR_le. rewrite Z.mul_comm. apply Z.lt_le_incl, Z.mul_succ_div_gt. exact H2.
Qed.

Lemma dadd_val a b : Dval (dadd a b) = Dval a + Dval b.
Proof.
  destruct a as [m1 e1], b as [m2 e2]. unfold dadd.
  destruct (BigZ.eqb m2 0) eqn:E2.
  { rewrite BigZ.spec_eqb in E2. apply Z.eqb_eq in E2. change (BigZ.to_Z 0) with 0%Z in E2.
    unfold Dval. simpl. rewrite E2, Rmult_0_l. ring. }
  destruct (BigZ.eqb m1 0) eqn:E1.
  { rewrite BigZ.spec_eqb in E1. apply Z.eqb_eq in E1. change (BigZ.to_Z 0) with 0%Z in E1.
    unfold Dval. simpl. rewrite E1, Rmult_0_l. ring. }
  destruct (BigZ.leb e1 e2) eqn:Ee; rewrite BigZ.spec_leb in Ee;
    [apply Z.leb_le in Ee|apply Z.leb_gt in Ee]; unfold Dval; simpl;
    rewrite BigZ.spec_add, BigZ.spec_shiftl, BigZ.spec_sub, Z.shiftl_mul_pow2 by lia;
    rewrite plus_IZR, Rmult_plus_distr_r, Dval_shift by lia;
    [replace (BigZ.to_Z e1 + (BigZ.to_Z e2 - BigZ.to_Z e1))%Z with (BigZ.to_Z e2) by lia|replace (BigZ.to_Z e2 + (BigZ.to_Z e1 - BigZ.to_Z e2))%Z with (BigZ.to_Z e1) by lia]; ring.
Qed.

Lemma dmul_val a b : Dval (dmul a b) = Dval a * Dval b.
Proof.
  destruct a as [m1 e1], b as [m2 e2]. unfold dmul, Dval. simpl.
  rewrite BigZ.spec_mul, BigZ.spec_add, mult_IZR, powerRZ_add by lra. ring.
Qed.

Lemma dneg_val a : Dval (dneg a) = - Dval a.
Proof. destruct a as [m e]. unfold dneg, Dval. simpl. rewrite BigZ.spec_opp, opp_IZR. ring. Qed.

Lemma dnonneg_val a : dnonneg a = true -> 0 <= Dval a.
Proof.
  destruct a as [m e]. unfold dnonneg, Dval. simpl. rewrite BigZ.spec_leb. intros H.
  apply Z.leb_le in H. apply Rmult_le_pos; [apply IZR_le; exact H|left; apply pow2_pos].
Qed.

Lemma dnonneg_false a : dnonneg a = false -> Dval a < 0.
Proof.
  destruct a as [m e]. unfold dnonneg, Dval. simpl. rewrite BigZ.spec_leb. intros H.
  change (BigZ.to_Z 0) with 0%Z in H.
  apply Z.leb_gt in H. apply IZR_lt in H. pose proof (pow2_pos (BigZ.to_Z e)). nra.
Qed.

Lemma dle_spec a b : if dle a b then Dval a <= Dval b else Dval b < Dval a.
Proof.
  unfold dle. destruct (dnonneg _) eqn:E.
  - apply dnonneg_val in E. rewrite dadd_val, dneg_val in E. lra.
  - apply dnonneg_false in E. rewrite dadd_val, dneg_val in E. lra.
Qed.

Lemma dmin_val a b : Dval (dmin a b) = Rmin (Dval a) (Dval b).
Proof.
  unfold dmin, Rmin. pose proof (dle_spec a b). destruct (dle a b); destruct (Rle_dec _ _); lra.
Qed.
Lemma dmax_val a b : Dval (dmax a b) = Rmax (Dval a) (Dval b).
Proof.
  unfold dmax, Rmax. pose proof (dle_spec a b). destruct (dle a b); destruct (Rle_dec _ _); lra.
Qed.

Lemma iout_sound p lo hi v : Dval lo <= v <= Dval hi -> ienc (iout p lo hi) v.
Proof. intros H. unfold ienc, iout. simpl. pose proof (dround_dn p lo). pose proof (dround_up p hi). lra. Qed.

Lemma iadd_sound p a b u v : ienc a u -> ienc b v -> ienc (iadd p a b) (u + v).
Proof. unfold ienc. intros. apply iout_sound. rewrite !dadd_val. lra. Qed.

Lemma isub_sound p a b u v : ienc a u -> ienc b v -> ienc (isub p a b) (u - v).
Proof. unfold ienc. intros. apply iout_sound. rewrite !dadd_val, !dneg_val. lra. Qed.

(* x ∈ [a, b] ⇒ x·y ≥ min(a·y, b·y) and ≤ max *)
Lemma mul_lin a b x y : a <= x <= b -> Rmin (a * y) (b * y) <= x * y <= Rmax (a * y) (b * y).
Proof.
  intros H. unfold Rmin, Rmax. destruct (Rle_dec (a * y) (b * y)); destruct (Rle_dec 0 y); split; nra.
Qed.

Lemma dnonpos_val a : dnonpos a = true -> Dval a <= 0.
Proof.
  destruct a as [m e]. unfold dnonpos, Dval. simpl. rewrite BigZ.spec_leb. intros H.
  change (BigZ.to_Z 0) with 0%Z in H. apply Z.leb_le in H. apply IZR_le in H.
  pose proof (pow2_pos (BigZ.to_Z e)). nra.
Qed.
Lemma dnonpos_false a : dnonpos a = false -> 0 < Dval a.
Proof.
  destruct a as [m e]. unfold dnonpos, Dval. simpl. rewrite BigZ.spec_leb. intros H.
  change (BigZ.to_Z 0) with 0%Z in H. apply Z.leb_gt in H. apply IZR_lt in H.
  pose proof (pow2_pos (BigZ.to_Z e)). nra.
Qed.

Lemma imul_sound p a b u v : ienc a u -> ienc b v -> ienc (imul p a b) (u * v).
Proof.
  destruct a as [a1 a2], b as [b1 b2]. unfold ienc, imul. cbn [fst snd]. intros Ha Hb.
  destruct (dnonneg a1) eqn:A1; [apply dnonneg_val in A1|apply dnonneg_false in A1];
  [|destruct (dnonpos a2) eqn:A2; [apply dnonpos_val in A2|apply dnonpos_false in A2]];
  (destruct (dnonneg b1) eqn:B1; [apply dnonneg_val in B1|apply dnonneg_false in B1];
   [|destruct (dnonpos b2) eqn:B2; [apply dnonpos_val in B2|apply dnonpos_false in B2]]);
  apply iout_sound; rewrite ?dmul_val; try (split; nra).
  rewrite !dmin_val, !dmax_val, !dmul_val.
  pose proof (mul_lin (Dval a1) (Dval a2) u v Ha) as [H1 H2].
  pose proof (mul_lin (Dval b1) (Dval b2) v (Dval a1) Hb) as [H3 H4].
  pose proof (mul_lin (Dval b1) (Dval b2) v (Dval a2) Hb) as [H5 H6].
  rewrite (Rmult_comm (Dval a1) v), (Rmult_comm (Dval a2) v) in *.
  unfold Rmin, Rmax in *. repeat destruct (Rle_dec _ _); split; lra.
Qed.

(** * The trajectory (FORMAT.md §4.8, in the kernel's order of operations) *)

(* acc + Σ c_i·b_i, left to right *)
Fixpoint isum p (cs bs : list ival) (acc : ival) : ival :=
  match cs, bs with
  | c :: cs', b :: bs' => isum p cs' bs' (iadd p acc (imul p c b))
  | _, _ => acc
  end.
Fixpoint izip (f : ival -> ival -> ival) (u v : list ival) : list ival :=
  match u, v with a :: u', b :: v' => f a b :: izip f u' v' | _, _ => [] end.

(* one step: (B, R) ↦ (B ⊙ F ⊙ F, R·Φ), F_i = 1 − c2_i·R, Φ = (1 − Σ s4_i B_i) + R·Σ u4_i B_i *)
Definition gstep p (c2 s4 u4 : list ival) (st : list ival * ival) : list ival * ival :=
  let (bs, r) := st in
  let sig1 := isum p s4 bs izero in
  let sig2 := isum p u4 bs izero in
  let ph := iadd p (isub p ione sig1) (imul p r sig2) in
  (izip (fun c b => let f := isub p ione (imul p c r) in imul p (imul p b f) f) c2 bs, imul p r ph).

Definition traj p c2 s4 u4 (k : nat) (st : list ival * ival) : list ival * ival :=
  Nat.iter k (gstep p c2 s4 u4) st.

(* the real step on β: β_i (1 − 2η r x_i)², r = ⟨x, β⟩ − y *)
Definition bstep (eta y : R) (x b : list R) : list R :=
  let r := dotR x b - y in zipw (fun xi bi => bi * (1 - 2 * eta * r * xi) ^ 2) x b.

Lemma sq_zipw eta y x w :
  sq (gd_step eta y x w) = bstep eta y x (sq w).
Proof.
  unfold gd_step, bstep. set (r := dotR x (sq w) - y). clearbody r.
  revert w; induction x as [|a x IH]; intros [|b w]; simpl; auto.
  rewrite IH. f_equal. ring.
Qed.

Lemma gd_beta_S eta y alpha x k : gd_beta eta y alpha x (S k) = bstep eta y x (gd_beta eta y alpha x k).
Proof. unfold gd_beta. simpl. apply sq_zipw. Qed.

Lemma dotR_bstep_aux x b c :
  dotR x (zipw (fun xi bi => bi * (1 - c * xi) ^ 2) x b) =
  dotR x b - c * dotR (map (fun xi => 2 * xi ^ 2) x) b + c ^ 2 * dotR (map (fun xi => xi ^ 3) x) b.
Proof. revert b; induction x as [|a x IH]; intros [|b bs]; cbn [dotR zipw map]; try ring. rewrite IH. ring. Qed.

Lemma dotR_map_scal (f : R -> R) k (x b : list R) : dotR (map (fun xi => k * f xi) x) b = k * dotR (map f x) b.
Proof. revert b; induction x; intros [|b bs]; cbn [dotR map]; try ring. rewrite IHx. ring. Qed.

Definition s4R eta (x : list R) := map (fun xi => 4 * eta * xi ^ 2) x.
Definition u4R eta (x : list R) := map (fun xi => 4 * eta ^ 2 * xi ^ 3) x.
Definition c2R eta (x : list R) := map (fun xi => 2 * eta * xi) x.

Lemma res_bstep eta y x b :
  let r := dotR x b - y in
  dotR x (bstep eta y x b) - y = r * ((1 - dotR (s4R eta x) b) + r * dotR (u4R eta x) b).
Proof.
  intros r. unfold bstep. fold r.
  replace (fun xi bi => bi * (1 - 2 * eta * r * xi) ^ 2) with
          (fun xi bi => bi * (1 - (2 * eta * r) * xi) ^ 2) by reflexivity.
  rewrite dotR_bstep_aux. unfold s4R, u4R.
  rewrite (dotR_map_scal (fun xi => xi ^ 2) (4 * eta)).
  rewrite (dotR_map_scal (fun xi => xi ^ 2) 2).
  rewrite (dotR_map_scal (fun xi => xi ^ 3) (4 * eta ^ 2)).
  replace (dotR x b) with (r + y) by (unfold r; ring). ring.
Qed.

Lemma isum_sound p cs bs acc cr br v :
  ienc acc v -> Forall2 ienc cs cr -> Forall2 ienc bs br ->
  ienc (isum p cs bs acc) (v + dotR cr br).
Proof.
  intros Hacc Hc. revert bs br acc v Hacc.
  induction Hc as [|c u cs cr Hcu Hc IH]; intros bs br acc v Hacc Hb; simpl.
  - rewrite Rplus_0_r. exact Hacc.
  - destruct Hb as [|b w bs br Hbw Hb]; simpl; [rewrite Rplus_0_r; exact Hacc|].
    replace (v + (u * w + dotR cr br)) with ((v + u * w) + dotR cr br) by ring.
    apply IH; [|exact Hb]. apply iadd_sound; [exact Hacc|]. apply imul_sound; assumption.
Qed.

Lemma done_val : Dval done = 1.
Proof. unfold Dval, done. cbn [fst snd]. change (BigZ.to_Z 1) with 1%Z. simpl. ring. Qed.
Lemma dzero_val : Dval dzero = 0.
Proof. unfold Dval, dzero. cbn [fst snd]. change (BigZ.to_Z 0) with 0%Z. simpl. ring. Qed.
Lemma ione_enc : ienc ione 1.
Proof. unfold ienc, ione. cbn [fst snd]. rewrite done_val. lra. Qed.
Lemma izero_enc : ienc izero 0.
Proof. unfold ienc, izero. cbn [fst snd]. rewrite dzero_val. lra. Qed.

Lemma gstep_sound p eta y x c2 s4 u4 bs r b :
  Forall2 ienc c2 (c2R eta x) -> Forall2 ienc s4 (s4R eta x) -> Forall2 ienc u4 (u4R eta x) ->
  Forall2 ienc bs b -> length b = length x -> ienc r (dotR x b - y) ->
  let st := gstep p c2 s4 u4 (bs, r) in
  Forall2 ienc (fst st) (bstep eta y x b) /\ ienc (snd st) (dotR x (bstep eta y x b) - y).
Proof.
  intros Hc Hs Hu Hb Hl Hr. unfold gstep. cbv beta iota zeta. cbn [fst snd]. split.
  - unfold bstep. set (rv := dotR x b - y) in *. clearbody rv.
    unfold c2R in Hc. clear Hs Hu.
    revert c2 bs b Hc Hb Hl. induction x as [|xi x IH]; intros c2 bs b Hc Hb Hl; cbn [map zipw izip length] in *.
    + inversion Hc; subst. constructor.
    + inversion Hc as [|c cr c2' cr' Hcx Hc']; subst.
      destruct Hb as [|bi bv bs' b' Hbi Hb']; [cbn [length] in Hl; lia|]. cbn [izip zipw].
      constructor.
      * replace (bv * (1 - 2 * eta * rv * xi) ^ 2) with ((bv * (1 - 2 * eta * xi * rv)) * (1 - 2 * eta * xi * rv)) by ring.
        apply imul_sound; [apply imul_sound|]; try exact Hbi;
          apply isub_sound; try apply ione_enc; apply imul_sound; assumption.
      * apply IH; auto.
  - rewrite res_bstep. apply imul_sound; [exact Hr|].
    apply iadd_sound.
    + apply isub_sound; [apply ione_enc|].
      rewrite <- (Rplus_0_l (dotR (s4R eta x) b)). apply isum_sound; auto using izero_enc.
    + apply imul_sound; [exact Hr|].
      rewrite <- (Rplus_0_l (dotR (u4R eta x) b)). apply isum_sound; auto using izero_enc.
Qed.

Lemma length_bstep eta y x b : length b = length x -> length (bstep eta y x b) = length x.
Proof. intros H. unfold bstep. rewrite length_zipw. lia. Qed.

Theorem traj_sound p eta y alpha x c2 s4 u4 st0 k :
  Forall2 ienc c2 (c2R eta x) -> Forall2 ienc s4 (s4R eta x) -> Forall2 ienc u4 (u4R eta x) ->
  Forall2 ienc (fst st0) (gd_beta eta y alpha x 0) -> ienc (snd st0) (gd_res eta y alpha x 0) ->
  let st := traj p c2 s4 u4 k st0 in
  Forall2 ienc (fst st) (gd_beta eta y alpha x k) /\ ienc (snd st) (gd_res eta y alpha x k).
Proof.
  intros Hc Hs Hu Hb0 Hr0. induction k as [|k IH]; simpl; [auto|].
  unfold traj in *. simpl. destruct (Nat.iter k (gstep p c2 s4 u4) st0) as [bs r] eqn:E.
  simpl in IH. destruct IH as [Hb Hr].
  unfold gd_res in *. rewrite gd_beta_S.
  apply gstep_sound; auto. apply length_gd_beta.
Qed.

(** * From Q to R *)

Lemma Q2R_Z z : Q2R (z # 1) = IZR z.
Proof. unfold Q2R. simpl. rewrite Rinv_1, Rmult_1_r. reflexivity. Qed.
Lemma Q2R_red q : Q2R (Qred q) = Q2R q.
Proof. apply Qeq_eqR, Qred_correct. Qed.
Lemma nth_map_Q2R l i : nth i (map Q2R l) 0 = Q2R (nth i l 0%Q).
Proof.
  revert i; induction l; intros [|i]; simpl; auto.
  all: rewrite Q2R_Z; reflexivity.
Qed.

Definition Qltb (a b : Q) : bool := negb (Qle_bool b a).
Lemma Qltb_R a b : Qltb a b = true -> Q2R a < Q2R b.
Proof.
  unfold Qltb. intros H. apply negb_true_iff in H. apply Qlt_Rlt.
  apply Qnot_le_lt. intros C. apply Qle_bool_iff in C. congruence.
Qed.
Lemma Qleb_R a b : Qle_bool a b = true -> Q2R a <= Q2R b.
Proof. intros H. apply Qle_Rle, Qle_bool_iff, H. Qed.

Fixpoint sumnQ (d : nat) (f : nat -> Q) : Q :=
  match d with O => 0%Q | S d' => Qred (sumnQ d' f + f d') end.
Lemma Q2R_sumnQ d f : Q2R (sumnQ d f) = sumn d (fun i => Q2R (f i)).
Proof.
  induction d; cbn [sumnQ sumn].
  - apply Q2R_Z.
  - rewrite Q2R_red, Q2R_plus, IHd. reflexivity.
Qed.

Definition all_idx (d : nat) (f : nat -> bool) : bool := forallb f (seq 0 d).
Lemma all_idx_spec d f : all_idx d f = true -> forall i, (i < d)%nat -> f i = true.
Proof.
  unfold all_idx. intros H i Hi. rewrite forallb_forall in H. apply H, in_seq. lia.
Qed.

Lemma Forall2_nth_intro {A B} (P : A -> B -> Prop) l1 l2 da db :
  length l1 = length l2 -> (forall i, (i < length l1)%nat -> P (nth i l1 da) (nth i l2 db)) ->
  Forall2 P l1 l2.
Proof.
  revert l2; induction l1 as [|a l1 IH]; intros [|b l2] Hl H; simpl in *; try discriminate; constructor.
  - apply (H O). lia.
  - apply IH; [lia|]. intros i Hi. apply (H (S i)). lia.
Qed.

Lemma sumR_sumn l : sumR l = sumn (length l) (fun i => nth i l 0).
Proof.
  induction l; [reflexivity|]. cbn [sumR length]. rewrite sumn_shift. rewrite IHl. reflexivity.
Qed.

(* a Q-level enclosure check *)
Definition qenc (a : ival) (v : Q) : bool := Qle_bool (DQ (fst a)) v && Qle_bool v (DQ (snd a)).
Lemma qenc_sound a v : qenc a v = true -> ienc a (Q2R v).
Proof.
  unfold qenc, ienc. rewrite andb_true_iff. intros [H1 H2].
  apply Qleb_R in H1, H2. rewrite Dval_DQ in H1, H2. lra.
Qed.

(** * The checker of one certified run *)

(* the enclosures of the constants 2ηx_i, 4ηx_i², 4η²x_i³, of β_0 = α² and of r_0 = α²Σx_i − y
   (given as hints; each is checked to contain its exact value) *)
Definition hints_ok (x : list Q) (y alpha eta : Q) (c2 s4 u4 : list ival) (b0 r0 : ival) : bool :=
  let d := length x in
  Nat.eqb (length c2) d && Nat.eqb (length s4) d && Nat.eqb (length u4) d &&
  all_idx d (fun i => let xi := nth i x 0%Q in
    qenc (nth i c2 izero) (2 * eta * xi) && qenc (nth i s4 izero) (4 * eta * (xi * xi)) &&
    qenc (nth i u4 izero) (4 * (eta * eta) * (xi * (xi * xi)))) &&
  qenc b0 (alpha * alpha) && qenc r0 (alpha * alpha * sumnQ d (fun i => nth i x 0%Q) - y).

(* |φ| ≤ q on the box for |r| ≤ ρ: φ = 1 − η·4Σx_i²β_i + 4η²r·Σx_i³β_i *)
Definition phi_ok_q (x : list Q) (eta q rho : Q) (box : list (Q * Q)) : bool :=
  let d := length x in
  let L i := fst (nth i box (0, 0))%Q in
  let U i := snd (nth i box (0, 0))%Q in
  let sq i := (nth i x 0 * nth i x 0)%Q in
  let cube i := (nth i x 0 * (nth i x 0 * nth i x 0))%Q in
  let slo := sumnQ d (fun i => sq i * L i)%Q in
  let shi := sumnQ d (fun i => sq i * U i)%Q in
  let ulo := sumnQ d (fun i => if Qle_bool 0 (cube i) then cube i * L i else cube i * U i)%Q in
  let uhi := sumnQ d (fun i => if Qle_bool 0 (cube i) then cube i * U i else cube i * L i)%Q in
  let um := Qmax (Qabs ulo) (Qabs uhi) in
  let m := (4 * (eta * eta) * rho * um)%Q in
  Qle_bool (- um) ulo && Qle_bool uhi um && Qle_bool 0 rho &&
  Qle_bool (- q) (1 - eta * (4 * shi) - m) && Qle_bool (1 - eta * (4 * slo) + m) q.

(* the tail check of FORMAT.md §4.8 on the boxes (bs, [rlo, rhi]) at step K; box is the claimed
   box of β∞, which must contain [lo(B_i)(1 − 2δ_i), hi(B_i)/(1 − 2δ_i)] *)
Definition tail_ok (x : list Q) (eta q : Q) (bs : list (Q * Q)) (rlo rhi : Q) (box : list (Q * Q)) : bool :=
  let d := length x in
  let rho := Qmax (Qabs rlo) (Qabs rhi) in
  let xm := fold_right (fun xi m => Qmax (Qabs xi) m) 0%Q x in
  let c := (2 * eta * rho * xm)%Q in
  let den := ((1 - q) * (1 - c))%Q in
  Qltb 0 eta && Qle_bool 0 q && Qltb q 1 && Qle_bool (- rho) rlo && Qle_bool rhi rho &&
  Qle_bool 0 c && Qltb c 1 && Nat.eqb (length box) d && Nat.eqb (length bs) d &&
  all_idx d (fun i => let xi := nth i x 0%Q in let ax := Qabs xi in
     let num := (4 * eta * ax * rho)%Q in
     let blo := fst (nth i bs (0, 0))%Q in let bhi := snd (nth i bs (0, 0))%Q in
     let lo := fst (nth i box (0, 0))%Q in let hi := snd (nth i box (0, 0))%Q in
     Qle_bool (- ax) xi && Qle_bool xi ax && Qle_bool ax xm && Qltb num den &&
     Qle_bool (lo * den) (blo * (den - num)) && Qle_bool (bhi * den) (hi * (den - num))) &&
  phi_ok_q x eta q rho box.

Definition run_state (x : list Q) (K : nat) (p : Z) (c2 s4 u4 : list ival) (b0 r0 : ival) : list ival * ival :=
  traj (BigZ.of_Z p) c2 s4 u4 K (repeat b0 (length x), r0).

Definition check_run (x : list Q) (y alpha eta : Q) (K : nat) (p : Z) (q : Q)
    (c2 s4 u4 : list ival) (b0 r0 : ival) (box : list (Q * Q)) : bool :=
  hints_ok x y alpha eta c2 s4 u4 b0 r0 &&
  let st := run_state x K p c2 s4 u4 b0 r0 in
  tail_ok x eta q (map (fun a => (DQ (fst a), DQ (snd a))) (fst st))
    (DQ (fst (snd st))) (DQ (snd (snd st))) box.

(** * Soundness of the run checker *)

Ltac split_andb :=
  repeat match goal with H : (_ && _)%bool = true |- _ => apply andb_true_iff in H; destruct H end.
Ltac q2r := repeat rewrite ?Q2R_plus, ?Q2R_mult, ?Q2R_minus, ?Q2R_opp, ?Q2R_sumnQ, ?Q2R_Z in *.

Lemma nth_map_lt {A B} (f : A -> B) l i da db : (i < length l)%nat -> nth i (map f l) db = f (nth i l da).
Proof. intros H. rewrite nth_indep with (d' := f da) by (rewrite map_length; lia). apply map_nth. Qed.

Lemma Forall2_nth_elim {A B} (P : A -> B -> Prop) l1 l2 da db :
  Forall2 P l1 l2 -> forall i, (i < length l1)%nat -> P (nth i l1 da) (nth i l2 db).
Proof.
  induction 1; intros i Hi; simpl in *; [lia|]. destruct i; [assumption|]. apply IHForall2. lia.
Qed.

Lemma Forall2_length {A B} (P : A -> B -> Prop) l1 l2 : Forall2 P l1 l2 -> length l1 = length l2.
Proof. induction 1; simpl; auto. Qed.

Lemma hints_sound x y alpha eta c2 s4 u4 b0 r0 :
  hints_ok x y alpha eta c2 s4 u4 b0 r0 = true ->
  let xr := map Q2R x in let e := Q2R eta in
  Forall2 ienc c2 (c2R e xr) /\ Forall2 ienc s4 (s4R e xr) /\ Forall2 ienc u4 (u4R e xr) /\
  Forall2 ienc (repeat b0 (length x)) (gd_beta e (Q2R y) (Q2R alpha) xr 0) /\
  ienc r0 (gd_res e (Q2R y) (Q2R alpha) xr 0).
Proof.
  intros H xr e. unfold hints_ok in H.
  apply andb_true_iff in H as [H H1]. apply andb_true_iff in H as [H H2].
  apply andb_true_iff in H as [H H4]. apply andb_true_iff in H as [H H6].
  apply andb_true_iff in H as [H H5].
  apply Nat.eqb_eq in H, H5, H6.
  pose proof (all_idx_spec _ _ H4) as Hi. clear H4.
  assert (Hx : forall i, (i < length x)%nat -> nth i xr 0 = Q2R (nth i x 0%Q)).
  { intros i _. unfold xr. apply nth_map_Q2R. }
  assert (Hl : length xr = length x) by (unfold xr; apply map_length).
  assert (Hall : forall i, (i < length x)%nat ->
    ienc (nth i c2 izero) (2 * e * Q2R (nth i x 0%Q)) /\ ienc (nth i s4 izero) (4 * e * Q2R (nth i x 0%Q) ^ 2) /\
    ienc (nth i u4 izero) (4 * e ^ 2 * Q2R (nth i x 0%Q) ^ 3)).
  { intros i Hlt. specialize (Hi i Hlt). cbv zeta in Hi.
    apply andb_true_iff in Hi as [Hi H8]. apply andb_true_iff in Hi as [H4 H7].
    apply qenc_sound in H4, H7, H8. q2r. unfold e.
    split; [exact H4|]. split.
    - replace (4 * Q2R eta * Q2R (nth i x 0%Q) ^ 2) with (4 * Q2R eta * (Q2R (nth i x 0%Q) * Q2R (nth i x 0%Q)))
        by ring. exact H7.
    - replace (4 * Q2R eta ^ 2 * Q2R (nth i x 0%Q) ^ 3) with
        (4 * (Q2R eta * Q2R eta) * (Q2R (nth i x 0%Q) * (Q2R (nth i x 0%Q) * Q2R (nth i x 0%Q))))
        by ring. exact H8. }
  split; [|split; [|split; [|split]]].
  - apply (Forall2_nth_intro _ _ _ izero 0); [unfold c2R; rewrite map_length; lia|].
    intros i Hlt. unfold c2R. rewrite (nth_map_lt _ _ _ 0) by lia. rewrite Hx by lia. apply Hall. lia.
  - apply (Forall2_nth_intro _ _ _ izero 0); [unfold s4R; rewrite map_length; lia|].
    intros i Hlt. unfold s4R. rewrite (nth_map_lt _ _ _ 0) by lia. rewrite Hx by lia. apply Hall. lia.
  - apply (Forall2_nth_intro _ _ _ izero 0); [unfold u4R; rewrite map_length; lia|].
    intros i Hlt. unfold u4R. rewrite (nth_map_lt _ _ _ 0) by lia. rewrite Hx by lia. apply Hall. lia.
  - apply (Forall2_nth_intro _ _ _ izero 0).
    { rewrite repeat_length, length_gd_beta. lia. }
    intros i Hlt. rewrite repeat_length in Hlt. rewrite nth_indep with (d' := b0) by (rewrite repeat_length; lia). rewrite nth_repeat.
    unfold gd_beta. rewrite nth_sq. simpl. rewrite (nth_map_lt _ _ _ 0) by lia.
    apply qenc_sound in H2. q2r. exact H2.
  - unfold gd_res, gd_beta. simpl. apply qenc_sound in H1. q2r.
    rewrite dotR_sumn by (unfold sq; rewrite !map_length; reflexivity).
    assert (E : sumn (length xr) (fun i => nth i xr 0 * nth i (sq (map (fun _ => Q2R alpha) xr)) 0) =
                Q2R alpha * Q2R alpha * sumn (length x) (fun i => Q2R (nth i x 0%Q))).
    { rewrite <- sumn_scal, Hl. apply sumn_ext. intros i Hlt. rewrite nth_sq, Hx by lia.
      rewrite (nth_map_lt _ _ _ 0) by lia. ring. }
    rewrite E. exact H1.
Qed.

Lemma Rabs_le_of a b : - b <= a <= b -> Rabs a <= b.
Proof. intros H. apply Rabs_le. exact H. Qed.

Ltac peel H N := apply andb_true_iff in H; destruct H as [H N].

(* what the tail check gives, per coordinate and for φ, in R *)
Lemma phi_sound x eta q rho box :
  phi_ok_q x eta q rho box = true -> 0 < Q2R eta ->
  forall b r, (forall i, (i < length x)%nat ->
      Q2R (fst (nth i box (0, 0)%Q)) <= b i <= Q2R (snd (nth i box (0, 0)%Q))) ->
    Rabs r <= Q2R rho ->
    Rabs (tail_phi (length x) (fun i => nth i (map Q2R x) 0) (Q2R eta) b r) <= Q2R q.
Proof.
  unfold phi_ok_q. cbv zeta. intros H He b r Hb Hr.
  peel H Hhi. peel H Hlo. peel H Hrho. peel H Huh. rename H into Hul.
  apply Qleb_R in Hhi, Hlo, Hrho, Huh, Hul. q2r.
  set (d := length x) in *.
  set (X i := Q2R (nth i x 0%Q)).
  set (L i := Q2R (fst (nth i box (0, 0)%Q))) in *.
  set (U i := Q2R (snd (nth i box (0, 0)%Q))) in *.
  unfold tail_phi. rewrite (sumn_ext d (fun i => nth i (map Q2R x) 0 ^ 2 * b i) (fun i => X i ^ 2 * b i))
    by (intros; rewrite nth_map_Q2R; reflexivity).
  rewrite (sumn_ext d (fun i => nth i (map Q2R x) 0 ^ 3 * b i) (fun i => X i ^ 3 * b i))
    by (intros; rewrite nth_map_Q2R; reflexivity).
  set (um := Q2R (Qmax (Qabs _) (Qabs _))) in *.
  (* Σ x_i² b_i between the sums at L and at U *)
  assert (S1 : sumn d (fun i => Q2R (nth i x 0%Q * nth i x 0%Q * fst (nth i box (0, 0)%Q))) <= sumn d (fun i => X i ^ 2 * b i)).
  { apply sumn_le. intros i Hi. q2r. fold (X i) (L i). specialize (Hb i Hi). fold (L i) (U i) in Hb.
    pose proof (pow2_ge_0 (X i)). simpl. rewrite Rmult_1_r. apply Rmult_le_compat_l; [nra|lra]. }
  assert (S2 : sumn d (fun i => X i ^ 2 * b i) <= sumn d (fun i => Q2R (nth i x 0%Q * nth i x 0%Q * snd (nth i box (0, 0)%Q)))).
  { apply sumn_le. intros i Hi. q2r. fold (X i) (U i). specialize (Hb i Hi). fold (L i) (U i) in Hb.
    pose proof (pow2_ge_0 (X i)). simpl. rewrite Rmult_1_r. apply Rmult_le_compat_l; [nra|lra]. }
  q2r.
  set (cube i := (nth i x 0 * (nth i x 0 * nth i x 0))%Q) in *.
  assert (U1 : sumn d (fun i => Q2R (if Qle_bool 0 (cube i) then cube i * fst (nth i box (0, 0)) else cube i * snd (nth i box (0, 0)))%Q)
               <= sumn d (fun i => X i ^ 3 * b i)).
  { apply sumn_le. intros i Hi. specialize (Hb i Hi). fold (L i) (U i) in Hb.
    assert (Hc : Q2R (cube i) = X i ^ 3) by (unfold cube, X; q2r; ring).
    destruct (Qle_bool 0 (cube i)) eqn:E.
    - apply Qleb_R in E. q2r. rewrite Hc in *. fold (L i). apply Rmult_le_compat_l; lra.
    - assert (Q2R (cube i) < 0).
      { assert (C : (cube i < 0)%Q) by (apply Qnot_le_lt; intros C; apply Qle_bool_iff in C; congruence).
        apply Qlt_Rlt in C. rewrite Q2R_Z in C. exact C. }
      q2r. rewrite Hc in *. fold (U i). nra. }
  assert (U2 : sumn d (fun i => X i ^ 3 * b i) <=
               sumn d (fun i => Q2R (if Qle_bool 0 (cube i) then cube i * snd (nth i box (0, 0)) else cube i * fst (nth i box (0, 0)))%Q)).
  { apply sumn_le. intros i Hi. specialize (Hb i Hi). fold (L i) (U i) in Hb.
    assert (Hc : Q2R (cube i) = X i ^ 3) by (unfold cube, X; q2r; ring).
    destruct (Qle_bool 0 (cube i)) eqn:E.
    - apply Qleb_R in E. q2r. rewrite Hc in *. fold (U i). apply Rmult_le_compat_l; lra.
    - assert (Q2R (cube i) < 0).
      { assert (C : (cube i < 0)%Q) by (apply Qnot_le_lt; intros C; apply Qle_bool_iff in C; congruence).
        apply Qlt_Rlt in C. rewrite Q2R_Z in C. exact C. }
      q2r. rewrite Hc in *. fold (L i). nra. }
  unfold cube in *. rewrite <- !Q2R_sumnQ in *.
  set (s3 := sumn d (fun i => X i ^ 3 * b i)) in *.
  set (s2 := sumn d (fun i => X i ^ 2 * b i)) in *.
  assert (Hm : Rabs (4 * Q2R eta ^ 2 * r * s3) <= 4 * (Q2R eta * Q2R eta) * Q2R rho * um).
  { rewrite !Rabs_mult. rewrite (Rabs_pos_eq 4), (Rabs_pos_eq (Q2R eta ^ 2)) by (try apply pow2_ge_0; lra).
    assert (Rabs s3 <= um) by (apply Rabs_le; lra). pose proof (Rabs_pos r). pose proof (Rabs_pos s3).
    simpl. rewrite Rmult_1_r. apply Rmult_le_compat; try lra.
    - apply Rmult_le_pos; [|lra]. apply Rmult_le_pos; [lra|]. nra.
    - apply Rmult_le_compat; try lra. apply Rmult_le_pos; [lra|]. nra. }
  apply Rabs_le.
  assert (- (4 * (Q2R eta * Q2R eta) * Q2R rho * um) <= 4 * Q2R eta ^ 2 * r * s3 <= 4 * (Q2R eta * Q2R eta) * Q2R rho * um).
  { pose proof (Rle_abs (4 * Q2R eta ^ 2 * r * s3)). pose proof (Rle_abs (- (4 * Q2R eta ^ 2 * r * s3))).
    rewrite Rabs_Ropp in *. lra. }
  split; nra.
Qed.

Theorem check_run_sound x y alpha eta K p q c2 s4 u4 b0 r0 box :
  check_run x y alpha eta K p q c2 s4 u4 b0 r0 box = true ->
  exists binf, gd_limit_in x y alpha eta box binf.
Proof.
  unfold check_run. intros H. apply andb_true_iff in H as [Hh Ht].
  destruct (hints_sound _ _ _ _ _ _ _ _ _ Hh) as [Hc [Hs [Hu [Hb0 Hr0]]]].
  set (xr := map Q2R x) in *. set (e := Q2R eta) in *.
  set (st := run_state x K p c2 s4 u4 b0 r0) in *.
  assert (Hst : Forall2 ienc (fst st) (gd_beta e (Q2R y) (Q2R alpha) xr K) /\
                ienc (snd st) (gd_res e (Q2R y) (Q2R alpha) xr K)).
  { apply traj_sound; assumption. }
  destruct Hst as [HbK HrK].
  assert (Hlen : length (fst st) = length x).
  { rewrite (Forall2_length _ _ _ HbK), length_gd_beta. apply map_length. }
  assert (Hl : length xr = length x) by apply map_length.
  set (bs := map (fun a => (DQ (fst a), DQ (snd a))) (fst st)) in *.
  set (rlo := DQ (fst (snd st))) in *. set (rhi := DQ (snd (snd st))) in *.
  unfold tail_ok in Ht.
  set (rho := Qmax (Qabs rlo) (Qabs rhi)) in *.
  set (xm := fold_right (fun xi m => Qmax (Qabs xi) m) 0%Q x) in *.
  set (cQ := (2 * eta * rho * xm)%Q) in *.
  set (den := ((1 - q) * (1 - cQ))%Q) in *.
  peel Ht Hphi. peel Ht Hall. peel Ht Hlbs. peel Ht Hlbox. peel Ht Hc1. peel Ht Hc0.
  peel Ht Hrhi. peel Ht Hrlo. peel Ht Hq1. peel Ht Hq0. rename Ht into He.
  apply Nat.eqb_eq in Hlbs, Hlbox.
  pose proof (all_idx_spec _ _ Hall) as Hi. clear Hall.
  apply Qltb_R in He, Hq1, Hc1. apply Qleb_R in Hq0, Hrlo, Hrhi, Hc0.
  rewrite Q2R_opp in Hrlo. rewrite Q2R_Z in He, Hq0, Hq1, Hc0, Hc1. fold e in He.
  assert (Hrho0 : 0 <= Q2R rho).
  { unfold phi_ok_q in Hphi. cbv zeta in Hphi. peel Hphi X1. peel Hphi X2. peel Hphi X3.
    apply Qleb_R in X3. rewrite Q2R_Z in X3. exact X3. }
  set (L := fun i => Q2R (fst (nth i box (0%Q, 0%Q)))).
  set (U := fun i => Q2R (snd (nth i box (0%Q, 0%Q)))).
  assert (HrK' : Q2R rlo <= gd_res e (Q2R y) (Q2R alpha) xr K <= Q2R rhi).
  { unfold rlo, rhi. rewrite !Dval_DQ. exact HrK. }
  assert (Hcq : Q2R cQ = 2 * e * Q2R rho * Q2R xm) by (unfold cQ; q2r; reflexivity).
  assert (Hden : Q2R den = (1 - Q2R q) * (1 - Q2R cQ)) by (unfold den; q2r; reflexivity).
  assert (Hdenp : 0 < Q2R den) by (rewrite Hden; apply Rmult_lt_0_compat; lra).
  assert (Hden1 : Q2R den <= 1 - Q2R q) by (rewrite Hden; nra).
  (* per coordinate: 2T_i ≤ t_i/den < 1 with t_i = 4η|x_i|ρ, and the claimed box holds the
     enlarged box *)
  assert (Hco : forall i, (i < length x)%nat ->
    let t := 4 * e * Q2R (Qabs (nth i x 0%Q)) * Q2R rho in
    2 * (2 * e * Rabs (Q2R (nth i x 0%Q)) * Q2R rho / (1 - Q2R q)) <= t / Q2R den /\ t / Q2R den < 1 /\
    L i <= Q2R (fst (nth i bs (0, 0)%Q)) * (1 - t / Q2R den) /\
    Q2R (snd (nth i bs (0, 0)%Q)) <= U i * (1 - t / Q2R den)).
  { intros i Hlt t. specialize (Hi i Hlt). cbv zeta in Hi.
    peel Hi H6. peel Hi H5. peel Hi H4. peel Hi H3. peel Hi H2. rename Hi into H1.
    apply Qltb_R in H4. apply Qleb_R in H1, H2, H3, H5, H6.
    q2r. fold e t in H4, H5, H6.
    set (X := Q2R (nth i x 0%Q)) in *.
    assert (HaX : Rabs X <= Q2R (Qabs (nth i x 0%Q))) by (apply Rabs_le; lra).
    assert (Ht0 : 0 <= t). { unfold t. pose proof (Rabs_pos X). apply Rmult_le_pos; [apply Rmult_le_pos; [apply Rmult_le_pos|]|]; lra. }
    assert (Hdiv : forall a, a * Q2R den <= 1 * Q2R den -> a <= 1) by (intros; nra).
    split; [|split; [|split]].
    - unfold Rdiv. replace (2 * (2 * e * Rabs X * Q2R rho * / (1 - Q2R q))) with
        ((4 * e * Rabs X * Q2R rho) * / (1 - Q2R q)) by ring.
      apply Rmult_le_compat.
      + pose proof (Rabs_pos X). apply Rmult_le_pos; [apply Rmult_le_pos; [apply Rmult_le_pos|]|]; lra.
      + left. apply Rinv_0_lt_compat. lra.
      + unfold t. pose proof (Rabs_pos X). apply Rmult_le_compat_r; [lra|]. apply Rmult_le_compat_l; lra.
      + apply Rinv_le_contravar; lra.
    - apply Rmult_lt_reg_r with (Q2R den); [lra|]. unfold Rdiv. rewrite Rmult_assoc, Rinv_l by lra. lra.
    - apply Rmult_le_reg_r with (Q2R den); [lra|]. unfold L.
      replace (Q2R (fst (nth i bs (0, 0)%Q)) * (1 - t / Q2R den) * Q2R den) with
        (Q2R (fst (nth i bs (0, 0)%Q)) * (Q2R den - t)) by (field; lra). lra.
    - apply Rmult_le_reg_r with (Q2R den); [lra|]. unfold U.
      replace (Q2R (snd (nth i box (0, 0)%Q)) * (1 - t / Q2R den) * Q2R den) with
        (Q2R (snd (nth i box (0, 0)%Q)) * (Q2R den - t)) by (field; lra). lra. }
  (* the box of β_K *)
  assert (HbKi : forall i, (i < length x)%nat ->
    Q2R (fst (nth i bs (0, 0)%Q)) <= nth i (gd_beta e (Q2R y) (Q2R alpha) xr K) 0 <= Q2R (snd (nth i bs (0, 0)%Q))).
  { intros i Hlt. pose proof (Forall2_nth_elim _ _ _ izero 0 HbK i ltac:(lia)) as Hbi. unfold ienc in Hbi.
    unfold bs. rewrite (nth_map_lt _ _ _ izero) by lia. simpl. rewrite !Dval_DQ. exact Hbi. }
  destruct (gd_tail e (Q2R y) (Q2R alpha) xr K (Q2R q) (Q2R rho) L U) as [binf [Hconv Hbox]].
  - exact He.
  - split; assumption.
  - apply Rabs_le. lra.
  - intros i Hlt. rewrite Hl in Hlt. unfold xr. rewrite nth_map_Q2R. fold xr.
    destruct (Hco i Hlt) as [A1 [A2 _]]. lra.
  - intros i Hlt. rewrite Hl in Hlt. unfold xr. rewrite nth_map_Q2R. fold xr.
    destruct (Hco i Hlt) as [A1 [A2 [A3 A4]]]. pose proof (HbKi i Hlt) as Hb.
    assert (Hpos : 0 <= nth i (gd_beta e (Q2R y) (Q2R alpha) xr K) 0)
      by (unfold gd_beta; rewrite nth_sq; apply Rle_0_sqr).
    set (bK := nth i (gd_beta e (Q2R y) (Q2R alpha) xr K) 0) in *.
    set (tt := 4 * e * Q2R (Qabs (nth i x 0%Q)) * Q2R rho / Q2R den) in *.
    set (T2 := 2 * (2 * e * Rabs (Q2R (nth i x 0%Q)) * Q2R rho / (1 - Q2R q))) in *.
    apply Rle_trans with (1 := A3).
    apply Rle_trans with (bK * (1 - tt)); [apply Rmult_le_compat_r; lra|].
    apply Rmult_le_compat_l; lra.
  - intros i Hlt. rewrite Hl in Hlt. unfold xr. rewrite nth_map_Q2R. fold xr.
    destruct (Hco i Hlt) as [A1 [A2 [A3 A4]]]. pose proof (HbKi i Hlt) as Hb.
    assert (Hpos : 0 <= nth i (gd_beta e (Q2R y) (Q2R alpha) xr K) 0)
      by (unfold gd_beta; rewrite nth_sq; apply Rle_0_sqr).
    set (bK := nth i (gd_beta e (Q2R y) (Q2R alpha) xr K) 0) in *.
    set (tt := 4 * e * Q2R (Qabs (nth i x 0%Q)) * Q2R rho / Q2R den) in *.
    set (T2 := 2 * (2 * e * Rabs (Q2R (nth i x 0%Q)) * Q2R rho / (1 - Q2R q))) in *.
    assert (HU : 0 <= U i) by nra.
    apply Rle_trans with (U i * (1 - tt)); [lra|]. apply Rmult_le_compat_l; lra.
  - rewrite Hl. intros b r Hb Hr. apply (phi_sound x eta q rho box Hphi He b r); [|exact Hr].
    intros i Hlt. apply Hb, Hlt.
  - exists binf. split; [exact Hconv|]. split.
    + destruct Hconv as [Hlb _]. rewrite Hlb, Hl. symmetry. exact Hlbox.
    + intros i Hlt. rewrite Hlbox, <- Hl in Hlt. apply (Hbox i Hlt).
Qed.

(** * `gd-limit` *)

(* one certified run: label, K, P, q, the hints and the claimed box of β∞ *)
Record run := mkrun {
  ry : Q; rK : nat; rp : Z; rq : Q; rc2 : list ival; rs4 : list ival; ru4 : list ival; rb0 : ival; rr0 : ival;
  rbox : list (Q * Q) }.
Definition run_ok (x : list Q) (alpha eta : Q) (r : run) : bool :=
  check_run x (ry r) alpha eta (rK r) (rp r) (rq r) (rc2 r) (rs4 r) (ru4 r) (rb0 r) (rr0 r) (rbox r).

(* the claimed N, S and 2/η − S contain those of the box *)
Definition limit_rest (x : list Q) (eta : Q) (box : list (Q * Q)) (norm sharp eos : Q * Q) : bool :=
  let d := length x in
  let nlo := sumnQ d (fun i => fst (nth i box (0, 0)%Q)) in
  let nhi := sumnQ d (fun i => snd (nth i box (0, 0)%Q)) in
  let slo := (4 * sumnQ d (fun i => nth i x 0 * nth i x 0 * fst (nth i box (0, 0))))%Q in
  let shi := (4 * sumnQ d (fun i => nth i x 0 * nth i x 0 * snd (nth i box (0, 0))))%Q in
  Qltb 0 eta &&
  Qle_bool (fst norm) nlo && Qle_bool nhi (snd norm) &&
  Qle_bool (fst sharp) slo && Qle_bool shi (snd sharp) &&
  Qle_bool (fst eos) (2 * / eta - shi) && Qle_bool (2 * / eta - slo) (snd eos).

Lemma box_nth box b : in_box box b ->
  forall i, (i < length box)%nat ->
    Q2R (fst (nth i box (0, 0)%Q)) <= nth i b 0 <= Q2R (snd (nth i box (0, 0)%Q)).
Proof. intros [_ H] i Hi. apply H, Hi. Qed.

Theorem check_gd_limit_sound x alpha eta (r : run) norm sharp eos :
  run_ok x alpha eta r = true -> limit_rest x eta (rbox r) norm sharp eos = true ->
  gd_limit_claim x (ry r) alpha eta (rbox r) norm sharp eos.
Proof.
  intros Hrun H. unfold limit_rest in H. cbv zeta in H.
  peel H Ea2. peel H Ea1. peel H Sa2. peel H Sa1. peel H Na2. peel H Na1. rename H into He.
  destruct (check_run_sound _ _ _ _ _ _ _ _ _ _ _ _ _ Hrun) as [binf [Hconv Hbox]].
  set (box := rbox r) in *.
  exists binf. split; [split; assumption|].
  apply Qltb_R in He. rewrite Q2R_Z in He.
  apply Qleb_R in Na1, Na2, Sa1, Sa2, Ea1, Ea2.
  assert (Hd : length binf = length x) by (destruct Hconv as [Hl _]; rewrite Hl; apply map_length).
  assert (Hbl : length box = length x) by (destruct Hbox as [Hl _]; lia).
  pose proof (box_nth _ _ Hbox) as Hb. rewrite Hbl in Hb.
  assert (Hsum : sumn (length x) (fun i => Q2R (fst (nth i box (0, 0)%Q))) <= sumR binf <=
                 sumn (length x) (fun i => Q2R (snd (nth i box (0, 0)%Q)))).
  { rewrite sumR_sumn, Hd. split; apply sumn_le; intros i Hi; apply Hb, Hi. }
  assert (Hsh : 4 * sumn (length x) (fun i => Q2R (nth i x 0%Q * nth i x 0%Q * fst (nth i box (0, 0)%Q))) <= sharpR x binf <=
                4 * sumn (length x) (fun i => Q2R (nth i x 0%Q * nth i x 0%Q * snd (nth i box (0, 0)%Q)))).
  { unfold sharpR. rewrite dotR_sumn by (rewrite map_length; lia). rewrite map_length.
    split; apply Rmult_le_compat_l; try lra; apply sumn_le; intros i Hi;
      rewrite (nth_map_lt _ _ _ 0%Q) by lia; specialize (Hb i Hi); q2r;
      pose proof (pow2_ge_0 (Q2R (nth i x 0%Q))); simpl; rewrite Rmult_1_r; apply Rmult_le_compat_l; lra. }
  q2r. rewrite Q2R_inv in Ea1, Ea2 by (intros C; apply Qeq_eqR in C; rewrite Q2R_Z in C; lra).
  unfold Rdiv.
  unfold within. repeat split; lra.
Qed.
